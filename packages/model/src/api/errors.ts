/** Any 4xx/5xx JSON answer of the API: `{ "error": "what was wrong and what to send instead" }`. */
export interface ApiError {
  error: string;
}
