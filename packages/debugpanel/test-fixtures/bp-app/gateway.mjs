import { makeApp, listen } from './panel.mjs';
import { greet } from './src/greet.mjs';

const app = makeApp(process.env.SERVICE ?? 'gateway');
app.get('/hello', (req, res) => res.json({ text: greet(String(req.query.name ?? 'you')) }));
listen(app);
