export const main = () => 1;
//# sourceMappingURL=main.js.map
