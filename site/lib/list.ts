/** Datasets per page of the static list (the no-JavaScript view of /dataset/). */
export const STATIC_PAGE_SIZE = 20;
