// A request handler with secrets within reach, for the leak cases (src/leaks.test.ts).
export function handle(req, res) {
  const auth = req.headers.authorization;
  const pwd = 'hunter2-pwd';
  const privateKey = '-----BEGIN PRIVATE KEY-----MIIEvQ';
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl';
  const sessionId = 'sess-0123456789';
  const password = 'p4ssw0rd-xyz';
  const note = 'sent with Bearer tok-abcdef123456';
  const dbUrl = 'postgres://bob:s3cr3t-db@db.example:5432/shop';
  const user = { name: 'ann', token: 'user-token-999' };
  const summary = [auth, pwd, privateKey, jwt, sessionId, password, note, dbUrl, user.name].length;
  res.end(String(summary)); // BP-HANDLER
}
