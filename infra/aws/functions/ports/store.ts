import type { Store } from '../../../../handlers/ports.ts';
import { createDocumentClient, ElectroStore } from '../../../store/repository.ts';
import { required, type Env } from './env.ts';

/** TABLE_NAME: the single table (every function has a store). */
export const store = (env: Env): Store => new ElectroStore(createDocumentClient(), required(env, 'TABLE_NAME'));
