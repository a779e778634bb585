/** Which SQL database the store runs on; migrations and a few queries differ by it. */
export type Dialect = 'sqlite' | 'postgres';
