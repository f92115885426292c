export { startApiServer, buildApi, type ApiServer, type ApiServerOptions } from './server.ts';
export { API_ERROR_CODES } from './errors.ts';
export { safePathInside } from './safe-path.ts';
