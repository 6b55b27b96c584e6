// A test file: the source list leaves it out.
import { price } from './price.mjs';
if (price(1, 4) !== 4) throw new Error('price');
