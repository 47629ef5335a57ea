/**
 * The program: what `npm start` and the other npm scripts run, bundled into dist/main.js by
 * scripts/bundle.mjs. (`node --import tsx bots/app/main.ts` runs the same from the sources.)
 */
import { runProgram } from './main.js';

runProgram();
