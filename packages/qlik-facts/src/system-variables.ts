// Variables the Qlik engine defines or interprets itself: a script or an expression may use them
// without the app defining them. @qlik/api's types do not carry them, so they are listed here once,
// with the help page each group comes from.

/**
 * Number interpretation variables (Qlik Cloud help, "Number interpretation variables":
 * https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Scripting/NumberInterpretationVariables/number-interpretation-variables.htm).
 */
export const NUMBER_INTERPRETATION_VARIABLES = [
  "MoneyDecimalSep",
  "MoneyFormat",
  "MoneyThousandSep",
  "DecimalSep",
  "ThousandSep",
  "NumericalAbbreviation",
  "DateFormat",
  "TimeFormat",
  "TimestampFormat",
  "DayNames",
  "LongDayNames",
  "MonthNames",
  "LongMonthNames",
  "FirstWeekDay",
  "BrokenWeeks",
  "ReferenceDay",
  "FirstMonthOfYear",
  "CollationLocale",
] as const;

/**
 * System variables (Qlik Cloud help, "System variables":
 * https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Scripting/SystemVariables/system-variables.htm;
 * the path variables from Floppy to WinRoot are client-managed only, same page under /sense/).
 */
export const SYSTEM_VARIABLES = [
  "CreateSearchIndexOnReload",
  "HidePrefix",
  "HideSuffix",
  "Include",
  "Must_Include",
  "OpenUrlTimeout",
  "ScriptOnlyVariables",
  "StripComments",
  "Verbatim",
  "Floppy",
  "CD",
  "QvPath",
  "QvRoot",
  "QvWorkPath",
  "QvWorkRoot",
  "WinPath",
  "WinRoot",
] as const;

/**
 * Value handling variables (Qlik Cloud help, "Value handling variables":
 * https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Scripting/ValueHandlingVariables/value-handling-variables.htm).
 */
export const VALUE_HANDLING_VARIABLES = ["NullDisplay", "NullInterpret", "NullValue", "OtherSymbol"] as const;

/**
 * Error variables (Qlik Cloud help, "Error variables":
 * https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Scripting/ErrorVariables/error-variables.htm).
 */
export const ERROR_VARIABLES = ["ErrorMode", "ScriptError", "ScriptErrorCount", "ScriptErrorList"] as const;

/** Every variable name Qlik itself defines or reads, from the groups above. */
export const QLIK_VARIABLES = [
  ...NUMBER_INTERPRETATION_VARIABLES,
  ...SYSTEM_VARIABLES,
  ...VALUE_HANDLING_VARIABLES,
  ...ERROR_VARIABLES,
] as const;
export type QlikVariable = (typeof QLIK_VARIABLES)[number];

/**
 * Variables that act as switches on the statements that follow them (same help pages: ErrorMode sets
 * how the next errors are handled; the value handling variables, HidePrefix/HideSuffix, StripComments
 * and Verbatim apply from where they are set), so scripts legitimately set them more than once.
 */
export const SWITCH_VARIABLES = [
  "ErrorMode",
  "Verbatim",
  "NullInterpret",
  "NullValue",
  "OtherSymbol",
  "HidePrefix",
  "HideSuffix",
  "StripComments",
] as const satisfies readonly QlikVariable[];

/**
 * The variables Qlik writes at the top of a new app's script: the number interpretation variables and
 * CreateSearchIndexOnReload (number interpretation help page above: "The variables are included at the
 * top of the load script").
 */
export const DEFAULT_SCRIPT_VARIABLES = [
  ...NUMBER_INTERPRETATION_VARIABLES,
  "CreateSearchIndexOnReload",
] as const satisfies readonly QlikVariable[];

/** Whether `name` is one of Qlik's own variables (script variable names are case sensitive). */
export function isQlikVariable(name: string): boolean {
  return (QLIK_VARIABLES as readonly string[]).includes(name);
}
