/**
 * The program: what `npm start` and the other npm scripts run, bundled into dist/main.js by
 * scripts/bundle.mjs. (`node --import tsx bots/app/main.ts` runs the same from the sources.) A build
 * keeps the flow definitions it parsed, for the next start (definition-cache.ts).
 */
import { buildCacheFolder, keepParsedDefinitions } from '../definition-cache.js';
import { runProgram } from './main.js';

keepParsedDefinitions(buildCacheFolder(process.argv[1]));
runProgram();
