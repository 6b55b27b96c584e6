/** The token of every panel the e2e tests start (the app's, the breakpoints app's, the demo's). */
export const E2E_TOKEN = 'e2e-token-0123456789abcdef';
/** For the tests' own calls to a panel's API. */
export const E2E_AUTH = { headers: { authorization: `Bearer ${E2E_TOKEN}` } };
