/** `GET {path}/api/services`: the services seen in stored spans, sorted. */
export interface ServicesResponse {
  services: string[];
}
