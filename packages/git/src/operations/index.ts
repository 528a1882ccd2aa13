export { unbuildAppOperation, type UnbuildAppOptions, type UnbuildAppResult } from "./unbuild-app.ts";
export { validateAppOperation, type ValidateAppOptions } from "./validate-app.ts";
