// boot.mjs exports nothing: it is loaded for what it sets up.
export {};
