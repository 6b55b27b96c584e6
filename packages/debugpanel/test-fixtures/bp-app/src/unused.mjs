// Imported by no service: listed with no service.
export const unused = 1;
