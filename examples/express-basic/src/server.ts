import { app } from './app.js';

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => {
  console.log(`express-basic on http://localhost:${port}  (panel: http://localhost:${port}/_debug)`);
});
