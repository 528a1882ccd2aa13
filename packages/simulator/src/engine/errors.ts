/**
 * Engine errors as the QIX engine returns them: `{ code, parameter, message }`. Codes are Qlik's
 * LocalizedErrorCode values (enigma.js / @qlik/api schema) and JSON-RPC 2.0 codes.
 */
export const QixErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -128,
  NOT_FOUND: 2,
  ALREADY_EXISTS: 3,
  ACCESS_DENIED: 5,
  INVALID_PARAMETERS: 8,
  APP_NOT_FOUND: 1003,
  CONNECTION_ALREADY_EXISTS: 2000,
  CONNECTION_NOT_FOUND: 2001,
  VARIABLE_NO_NAME: 18000,
  VARIABLE_DUPLICATE_NAME: 18001,
} as const;

export class QixError extends Error {
  readonly code: number;
  readonly parameter: string;
  constructor(code: number, message: string, parameter = "") {
    super(message);
    this.name = "QixError";
    this.code = code;
    this.parameter = parameter;
  }
}

export function notFound(what: string): QixError {
  return new QixError(QixErrorCode.NOT_FOUND, "Object not found", what);
}

export function invalidParams(parameter: string): QixError {
  return new QixError(QixErrorCode.INVALID_PARAMS, "Invalid Params", parameter);
}

export function accessDenied(parameter = ""): QixError {
  return new QixError(QixErrorCode.ACCESS_DENIED, "Access denied", parameter);
}
