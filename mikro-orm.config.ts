// Configuration for the MikroORM CLI (`npm run mikro-orm -- migration:create`, ...).
// The app builds the same configuration through src/db/orm.ts.
import { ormConfig } from './src/db/orm.js';

export default ormConfig({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roster' });
