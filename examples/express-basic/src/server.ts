import { app } from './app.js';

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => {
  // The panel prints its own line with the one-click login URL: `debugpanel: open http://127.0.0.1:PORT/_debug/login?token=...`
  console.log(`express-basic on http://localhost:${port}  (panel: http://localhost:${port}/_debug)`);
});
