/** `GET {path}/api/services`: services seen in stored spans. */
import type { ServicesResponse } from '@debugpanel/model';
import { sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

export const services: PanelFeature = ({ store }) => [
  {
    method: 'GET',
    path: '/api/services',
    handle({ res }) {
      const body: ServicesResponse = { services: store.services() };
      sendJson<ServicesResponse>(res, 200, body);
    },
  },
];
