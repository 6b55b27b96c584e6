// Loaded with Node's own require, so its import() goes to Node's loader, not to vitest's runner.
module.exports = (url) => import(url);
