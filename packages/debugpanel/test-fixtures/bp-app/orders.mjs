import { makeApp, listen } from './panel.mjs';
import { price } from './src/price.mjs';

const app = makeApp(process.env.SERVICE ?? 'orders');
app.get('/price', (req, res) => res.json({ total: price(Number(req.query.qty ?? 1), 4, req) }));
listen(app);
