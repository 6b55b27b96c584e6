// Build output with no original: listed.
export const orphan = 1;
