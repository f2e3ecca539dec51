/**
 * How the Exchange admin API (InvokeCommand) of the local endpoint says no.
 *
 * Every refusal of the simulated tenant (a ProviderError) becomes the
 * service's error body (wire.ts exchangeError): an HTTP status plus the .NET
 * exception's TypeName and the tenant's message, verbatim, inside
 * error.details[0].message. The table below is the whole mapping; the
 * Microsoft provider's client maps back with the same rules:
 *
 *   status 404                                   -> notFound
 *   status 400, TypeName contains "NotFound"     -> notFound    (ACE not found)
 *   status 400, TypeName contains "AlreadyExists"-> conflict
 *   status 400, message contains "being provisioned" -> precondition, not ready yet (message has the time)
 *   any other 400                                -> precondition
 *   403 -> forbidden, 429 -> throttled (Retry-After, whole seconds), 5xx -> transient
 *
 * So no precondition may use a TypeName containing "NotFound" or
 * "AlreadyExists" (the real Add-MailboxPermission of an unknown user says
 * ManagementObjectNotFoundException; here it is a RecipientTaskException,
 * because the provider contract calls it a precondition). TypeNames marked
 * [invented] are plausible names, not observed ones.
 */
import type { ProviderError, ProviderErrorKind } from "../../lib/provider/errors.js";
import { exchangeError, type WireResponse } from "./wire.js";

/** The .NET exception types the endpoint names. */
export const TYPE_NAME = {
  /** observed (go-exoscc recorded 404 body) */
  objectNotFound: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
  /** real type, shape not observed over REST */
  objectAmbiguous: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
  /** [invented] Remove-*Permission of an absent ACE, removing an absent GrantSendOnBehalfTo entry */
  aceNotFound: "Microsoft.Exchange.Management.Tasks.ACENotFoundException",
  /** observed (go-exoscc recorded 400 body) */
  objectAlreadyExists: "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
  /** [invented] adding a grant the trustee already holds */
  aceAlreadyExists: "Microsoft.Exchange.Management.Tasks.ACEAlreadyExistsException",
  /** [invented] Set-Mailbox -Type to the type the mailbox already has */
  typeAlreadyExists: "Microsoft.Exchange.Management.RecipientTasks.MailboxTypeAlreadyExistsException",
  /** real base type of cmdlet failures */
  task: "Microsoft.Exchange.Configuration.Tasks.TaskException",
  /** real type of recipient cmdlet failures */
  recipientTask: "Microsoft.Exchange.Configuration.Tasks.RecipientTaskException",
  /** real type of property validation failures */
  dataValidation: "Microsoft.Exchange.Data.DataValidationException",
  /** [invented] 403 from a tenant refusal (the endpoint's own 403s carry no body) */
  accessDenied: "Microsoft.Exchange.Configuration.Tasks.AccessDeniedException",
  /** [invented] */
  throttled: "Microsoft.Exchange.Net.Throttling.ThrottlingException",
  /** real type */
  transient: "Microsoft.Exchange.Data.Directory.ADTransientException",
  /** PowerShell's own */
  commandNotFound: "System.Management.Automation.CommandNotFoundException",
  /** PowerShell's own */
  parameterBinding: "System.Management.Automation.ParameterBindingException",
  /** [invented] a body, $skiptoken or $batch the endpoint cannot read */
  badRequest: "Microsoft.OData.ODataException",
} as const;

export interface ExchangeErrorMapping {
  readonly kind: ProviderErrorKind;
  /** The tenant's ProviderError code, or "*" for every other code of that kind. */
  readonly code: string;
  readonly status: number;
  readonly typeName: string;
}

/** ProviderError (kind, code) -> (HTTP status, TypeName); the first row that matches wins. */
export const EXCHANGE_ERROR_MAP: readonly ExchangeErrorMapping[] = [
  { kind: "notFound", code: "ManagementObjectNotFound", status: 404, typeName: TYPE_NAME.objectNotFound },
  { kind: "notFound", code: "ACENotFound", status: 400, typeName: TYPE_NAME.aceNotFound },
  { kind: "notFound", code: "*", status: 404, typeName: TYPE_NAME.objectNotFound },
  { kind: "conflict", code: "ProxyAddressExists", status: 400, typeName: TYPE_NAME.objectAlreadyExists },
  { kind: "conflict", code: "ACEAlreadyExists", status: 400, typeName: TYPE_NAME.aceAlreadyExists },
  { kind: "conflict", code: "AlreadyOfType", status: 400, typeName: TYPE_NAME.typeAlreadyExists },
  { kind: "conflict", code: "*", status: 400, typeName: TYPE_NAME.objectAlreadyExists },
  { kind: "precondition", code: "MailboxNotReady", status: 400, typeName: TYPE_NAME.task },
  { kind: "precondition", code: "InvalidAlias", status: 400, typeName: TYPE_NAME.dataValidation },
  { kind: "precondition", code: "InvalidDisplayName", status: 400, typeName: TYPE_NAME.dataValidation },
  { kind: "precondition", code: "InvalidAddress", status: 400, typeName: TYPE_NAME.dataValidation },
  { kind: "precondition", code: "DomainNotAccepted", status: 400, typeName: TYPE_NAME.dataValidation },
  { kind: "precondition", code: "InvalidArgument", status: 400, typeName: TYPE_NAME.dataValidation },
  { kind: "precondition", code: "*", status: 400, typeName: TYPE_NAME.recipientTask },
  { kind: "forbidden", code: "*", status: 403, typeName: TYPE_NAME.accessDenied },
  { kind: "throttled", code: "*", status: 429, typeName: TYPE_NAME.throttled },
  { kind: "transient", code: "*", status: 503, typeName: TYPE_NAME.transient },
];

/** The row of EXCHANGE_ERROR_MAP for a tenant error. */
export function mappingFor(kind: ProviderErrorKind, code: string): ExchangeErrorMapping {
  const row = EXCHANGE_ERROR_MAP.find((m) => m.kind === kind && (m.code === code || m.code === "*"));
  if (!row) throw new Error(`no Exchange error mapping for ${kind}/${code}`); // the table ends every kind with "*"
  return row;
}

/** A tenant refusal as the service answers it; the message is the tenant's, verbatim. */
export function providerErrorResponse(error: ProviderError): WireResponse {
  const { status, typeName } = mappingFor(error.kind, error.code);
  const headers: Record<string, string> = {};
  if (error.kind === "throttled" && error.retryAfterMs !== undefined) headers["Retry-After"] = String(Math.ceil(error.retryAfterMs / 1000));
  return exchangeError(status, typeName, error.message, headers);
}

/** An answer decided below the dispatcher (binding, identity resolution); it catches this and sends `response`. */
export class ExchangeRefusal extends Error {
  readonly response: WireResponse;
  constructor(response: WireResponse) {
    super(`Exchange refusal ${response.status}`);
    this.response = response;
  }
}

function refuse(status: number, typeName: string, message: string): never {
  throw new ExchangeRefusal(exchangeError(status, typeName, message));
}

export function commandNotFound(name: string): never {
  refuse(400, TYPE_NAME.commandNotFound, `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`);
}

export function parameterNotFound(cmdlet: string, name: string): never {
  refuse(400, TYPE_NAME.parameterBinding, `A parameter cannot be found that matches parameter name '${name}'. (${cmdlet}; the local endpoint binds only the parameters exoform uses)`);
}

export function parameterInvalid(name: string, message: string): never {
  refuse(400, TYPE_NAME.parameterBinding, `Cannot bind parameter '${name}'. ${message}`);
}

export function parameterMissing(cmdlet: string, name: string, why = ""): never {
  refuse(400, TYPE_NAME.parameterBinding, `${cmdlet}: the mandatory parameter '${name}' is missing, null or empty.${why}`);
}

export function badRequest(message: string): never {
  refuse(400, TYPE_NAME.badRequest, message);
}

export function objectNotFoundMessage(identity: string): string {
  return `The operation couldn't be performed because object '${identity}' couldn't be found.`;
}

export function objectNotFound(identity: string): never {
  refuse(404, TYPE_NAME.objectNotFound, objectNotFoundMessage(identity));
}

export function objectAmbiguous(identity: string): never {
  refuse(400, TYPE_NAME.objectAmbiguous, `The operation couldn't be performed because '${identity}' matches multiple entries.`);
}

/** A call the local endpoint does not model (exoform never makes it); the message says what it does model. */
export function unsupported(message: string): never {
  refuse(400, TYPE_NAME.task, message);
}
