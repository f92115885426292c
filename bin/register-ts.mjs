// Registers bin/ts-loader.mjs (see there for why belfry does not run under tsx).
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
