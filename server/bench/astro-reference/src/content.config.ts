import { defineCollection } from 'astro:content';
import { file } from 'astro/loaders';
export const collections = { datasets: defineCollection({ loader: file('src/data/datasets.json') }) };
