/**
 * The dialects this server speaks, one line each. On a shared path the first that claims a
 * request answers it; the last is the default.
 */
import type { Dialect } from './dialect.ts';
import { rocketchat } from './rocketchat/index.ts';
import { grommunio } from './grommunio/index.ts';

export const DIALECTS: readonly Dialect[] = [rocketchat, grommunio];
