// @ts-nocheck: ajv's generated JavaScript; its exports are typed below.
/* eslint-disable */
/**
 * GENERATED FILE - DO NOT EDIT.
 * Generated from schema/desired-state.schema.json by scripts/gen-types.ts (npm run gen:types).
 * Edit the schema, then regenerate; CI fails when this file is stale.
 */
import type { ErrorObject } from "ajv";

/** The ajv options these validators were compiled with. */
export const COMPILED_WITH = {"allErrors":true,"strict":true,"useDefaults":false,"verbose":true} as const;

/** A validator compiled from the schema: true when `data` matches; otherwise `errors` holds every reason. */
export interface PrecompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export const validateDesiredState: PrecompiledValidator = validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://exoform.dev/schema/desired-state.schema.json","title":"DesiredState","description":"One tenant stack's desired state: the shared mailboxes exoform manages, their grants, and the shared mailboxes to turn back into user mailboxes. Produced by synth or written by hand; consumed by validate, plan, apply and drift.","type":"object","additionalProperties":false,"required":["formatVersion","stack","tenant","sharedMailboxes","userMailboxes"],"properties":{"formatVersion":{"description":"Version of this document format. Bumped on any change a consumer must handle.","const":1},"stack":{"description":"Name of the stack this document was synthesized from; scopes the mailboxes exoform remembers as managed.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"},"tenant":{"$ref":"#/definitions/Tenant"},"sharedMailboxes":{"type":"array","items":{"$ref":"#/definitions/SharedMailboxSpec"}},"userMailboxes":{"type":"array","items":{"$ref":"#/definitions/UserMailboxSpec"}},"ignore":{"description":"Known exceptions that drift detection does not report.","type":"array","items":{"$ref":"#/definitions/IgnoreRule"}}},"definitions":{"Tenant":{"type":"object","additionalProperties":false,"required":["id","domains"],"properties":{"id":{"description":"Tenant id or initial domain name.","type":"string","minLength":1},"domains":{"description":"Accepted domains the tenant owns. Trustees must be in one of them.","type":"array","minItems":1,"items":{"type":"string","pattern":"^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"}},"usageLocation":{"description":"Default usage location (ISO 3166 alpha-2) given to a mailbox account that exoform must license and that has none; Microsoft 365 licenses only accounts with one.","$ref":"#/definitions/UsageLocation"},"managementAttribute":{"description":"The mailbox custom attribute where exoform keeps its management tag (mailboxes it may delete). A value there that exoform did not write is an error, never overwritten: pick an attribute the tenant does not use.","enum":["CustomAttribute1","CustomAttribute2","CustomAttribute3","CustomAttribute4","CustomAttribute5","CustomAttribute6","CustomAttribute7","CustomAttribute8","CustomAttribute9","CustomAttribute10","CustomAttribute11","CustomAttribute12","CustomAttribute13","CustomAttribute14","CustomAttribute15"],"default":"CustomAttribute15"}}},"Address":{"description":"A primary SMTP address or user principal name, compared case-insensitively.","type":"string","maxLength":320,"pattern":"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},"Alias":{"description":"Exchange alias: at most 64 characters of letters, digits and !#%*+-/=?^_~, periods only between other characters.","type":"string","minLength":1,"maxLength":64,"pattern":"^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$"},"UsageLocation":{"description":"ISO 3166 alpha-2 country code, e.g. US, DE.","type":"string","pattern":"^[A-Z]{2}$"},"License":{"description":"\"none\" or a SKU part number such as EXCHANGEENTERPRISE.","type":"string","pattern":"^(none|[A-Z0-9_]+)$"},"SkuPartNumber":{"description":"A SKU part number such as EXCHANGESTANDARD or EXCHANGEARCHIVE_ADDON.","type":"string","pattern":"^[A-Z0-9][A-Z0-9_]*$"},"FullAccessGrant":{"type":"object","additionalProperties":false,"required":["trustee"],"properties":{"trustee":{"$ref":"#/definitions/Address"},"autoMapping":{"description":"Outlook opens the mailbox automatically for the trustee.","type":"boolean","default":true}}},"SharedMailboxSpec":{"type":"object","additionalProperties":false,"required":["address","displayName"],"properties":{"address":{"$ref":"#/definitions/Address"},"previousAddresses":{"description":"Primary addresses this mailbox had before a rename: a mailbox whose primary address is one of them today is this mailbox, and gets address as its primary (the old one stays as an extra address).","type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"displayName":{"type":"string","minLength":1,"maxLength":256},"alias":{"$ref":"#/definitions/Alias"},"origin":{"description":"\"new\": create it. \"convert\": the address is today a user's mailbox (or a soft-deleted user's) and must become shared.","enum":["new","convert"],"default":"new"},"fullAccess":{"type":"array","items":{"$ref":"#/definitions/FullAccessGrant"},"default":[]},"sendAs":{"type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"sendOnBehalf":{"type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"permissionsMode":{"description":"\"authoritative\": trustees not listed are revoked. \"additive\": never revokes.","enum":["authoritative","additive"],"default":"authoritative"},"license":{"description":"The one SKU the mailbox's account holds, or \"none\": shorthand for licenses with one item (or none). Give license or licenses, not both.","$ref":"#/definitions/License"},"licenses":{"description":"Every SKU the mailbox's account holds, e.g. [\"EXCHANGESTANDARD\", \"EXCHANGEARCHIVE_ADDON\"] (Plan 1 with the archiving add-on allows holds and archives, R1.6); [] for none, the default.","type":"array","items":{"$ref":"#/definitions/SkuPartNumber"}},"usageLocation":{"description":"Usage location given to the mailbox's account when it must be licensed and has none; overrides tenant.usageLocation.","$ref":"#/definitions/UsageLocation"},"litigationHold":{"type":"boolean","default":false},"archive":{"type":"boolean","default":false},"removalPolicy":{"description":"\"retain\": taking the mailbox out of the code never deletes it. \"delete\": explicit opt-in to deletion once it leaves the code.","enum":["retain","delete"],"default":"retain"},"signIn":{"$ref":"#/definitions/SignIn"},"hiddenFromAddressLists":{"description":"Hide the mailbox from the address lists (Set-Mailbox -HiddenFromAddressListsEnabled).","type":"boolean","default":false},"emailAddresses":{"description":"Extra SMTP addresses the mailbox receives mail at (proxy addresses), in the tenant's domains; the primary is address.","type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"messageCopyForSentAs":{"description":"Keep a copy of mail sent as the mailbox in its Sent Items (Set-Mailbox -MessageCopyForSentAsEnabled).","type":"boolean","default":false},"messageCopyForSendOnBehalf":{"description":"Keep a copy of mail sent on behalf of the mailbox in its Sent Items (Set-Mailbox -MessageCopyForSendOnBehalfEnabled).","type":"boolean","default":false}}},"SignIn":{"description":"Whether people may sign in to the mailbox's account: blocked unless declared otherwise (R4.1). An exception says why, e.g. { \"allowed\": true, \"reason\": \"the scanner sends as this mailbox\" }.","type":"object","additionalProperties":false,"required":["allowed"],"properties":{"allowed":{"description":"true: sign-in stays enabled (an exception); false: blocked, the default.","type":"boolean"},"reason":{"description":"Why the account must sign in; required when allowed is true.","type":"string","minLength":1,"maxLength":500}},"if":{"properties":{"allowed":{"const":true}},"required":["allowed"]},"then":{"properties":{"reason":true},"required":["reason"]}},"UserMailboxSpec":{"type":"object","additionalProperties":false,"required":["address","license"],"properties":{"address":{"$ref":"#/definitions/Address"},"license":{"description":"The SKU part number the person's mailbox gets back.","type":"string","pattern":"^[A-Z0-9_]+$"}}},"IgnoreRule":{"type":"object","additionalProperties":false,"required":["mailbox"],"properties":{"mailbox":{"description":"Mailbox address, or * for every mailbox.","type":"string","minLength":1},"field":{"description":"Field to ignore (e.g. fullAccess, sendAs, sendOnBehalf, accountEnabled, license, type); omitted: every field.","type":"string"},"reason":{"type":"string"}}}}};
const schema29 = {"type":"object","additionalProperties":false,"required":["mailbox"],"properties":{"mailbox":{"description":"Mailbox address, or * for every mailbox.","type":"string","minLength":1},"field":{"description":"Field to ignore (e.g. fullAccess, sendAs, sendOnBehalf, accountEnabled, license, type); omitted: every field.","type":"string"},"reason":{"type":"string"}}};
const pattern0 = new RegExp("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", "u");
const schema12 = {"type":"object","additionalProperties":false,"required":["id","domains"],"properties":{"id":{"description":"Tenant id or initial domain name.","type":"string","minLength":1},"domains":{"description":"Accepted domains the tenant owns. Trustees must be in one of them.","type":"array","minItems":1,"items":{"type":"string","pattern":"^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"}},"usageLocation":{"description":"Default usage location (ISO 3166 alpha-2) given to a mailbox account that exoform must license and that has none; Microsoft 365 licenses only accounts with one.","$ref":"#/definitions/UsageLocation"},"managementAttribute":{"description":"The mailbox custom attribute where exoform keeps its management tag (mailboxes it may delete). A value there that exoform did not write is an error, never overwritten: pick an attribute the tenant does not use.","enum":["CustomAttribute1","CustomAttribute2","CustomAttribute3","CustomAttribute4","CustomAttribute5","CustomAttribute6","CustomAttribute7","CustomAttribute8","CustomAttribute9","CustomAttribute10","CustomAttribute11","CustomAttribute12","CustomAttribute13","CustomAttribute14","CustomAttribute15"],"default":"CustomAttribute15"}}};
const schema13 = {"description":"ISO 3166 alpha-2 country code, e.g. US, DE.","type":"string","pattern":"^[A-Z]{2}$"};
const func2 = function ucs2length(str) {
    const len = str.length;
    let length = 0;
    let pos = 0;
    let value;
    while (pos < len) {
        length++;
        value = str.charCodeAt(pos++);
        if (value >= 0xd800 && value <= 0xdbff && pos < len) {
            // high surrogate, and there is a next character
            value = str.charCodeAt(pos);
            if ((value & 0xfc00) === 0xdc00)
                pos++; // low surrogate
        }
    }
    return length;
};
const pattern1 = new RegExp("^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$", "u");
const pattern2 = new RegExp("^[A-Z]{2}$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.id === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "id"},message:"must have required property '"+"id"+"'",schema:schema12.required,parentSchema:schema12,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.domains === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "domains"},message:"must have required property '"+"domains"+"'",schema:schema12.required,parentSchema:schema12,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((((key0 === "id") || (key0 === "domains")) || (key0 === "usageLocation")) || (key0 === "managementAttribute"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema12,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.id !== undefined){
let data0 = data.id;
if(typeof data0 === "string"){
if(func2(data0) < 1){
const err3 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema12.properties.id,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.properties.id.type,parentSchema:schema12.properties.id,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.domains !== undefined){
let data1 = data.domains;
if(Array.isArray(data1)){
if(data1.length < 1){
const err5 = {instancePath:instancePath+"/domains",schemaPath:"#/properties/domains/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema12.properties.domains,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
let data2 = data1[i0];
if(typeof data2 === "string"){
if(!pattern1.test(data2)){
const err6 = {instancePath:instancePath+"/domains/" + i0,schemaPath:"#/properties/domains/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema12.properties.domains.items,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/domains/" + i0,schemaPath:"#/properties/domains/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.properties.domains.items.type,parentSchema:schema12.properties.domains.items,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
else {
const err8 = {instancePath:instancePath+"/domains",schemaPath:"#/properties/domains/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema12.properties.domains.type,parentSchema:schema12.properties.domains,data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.usageLocation !== undefined){
let data3 = data.usageLocation;
if(typeof data3 === "string"){
if(!pattern2.test(data3)){
const err9 = {instancePath:instancePath+"/usageLocation",schemaPath:"#/definitions/UsageLocation/pattern",keyword:"pattern",params:{pattern: "^[A-Z]{2}$"},message:"must match pattern \""+"^[A-Z]{2}$"+"\"",schema:"^[A-Z]{2}$",parentSchema:schema13,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/usageLocation",schemaPath:"#/definitions/UsageLocation/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.managementAttribute !== undefined){
let data4 = data.managementAttribute;
if(!(((((((((((((((data4 === "CustomAttribute1") || (data4 === "CustomAttribute2")) || (data4 === "CustomAttribute3")) || (data4 === "CustomAttribute4")) || (data4 === "CustomAttribute5")) || (data4 === "CustomAttribute6")) || (data4 === "CustomAttribute7")) || (data4 === "CustomAttribute8")) || (data4 === "CustomAttribute9")) || (data4 === "CustomAttribute10")) || (data4 === "CustomAttribute11")) || (data4 === "CustomAttribute12")) || (data4 === "CustomAttribute13")) || (data4 === "CustomAttribute14")) || (data4 === "CustomAttribute15"))){
const err11 = {instancePath:instancePath+"/managementAttribute",schemaPath:"#/properties/managementAttribute/enum",keyword:"enum",params:{allowedValues: schema12.properties.managementAttribute.enum},message:"must be equal to one of the allowed values",schema:schema12.properties.managementAttribute.enum,parentSchema:schema12.properties.managementAttribute,data:data4};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
else {
const err12 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema12.type,parentSchema:schema12,data};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}

const schema14 = {"type":"object","additionalProperties":false,"required":["address","displayName"],"properties":{"address":{"$ref":"#/definitions/Address"},"previousAddresses":{"description":"Primary addresses this mailbox had before a rename: a mailbox whose primary address is one of them today is this mailbox, and gets address as its primary (the old one stays as an extra address).","type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"displayName":{"type":"string","minLength":1,"maxLength":256},"alias":{"$ref":"#/definitions/Alias"},"origin":{"description":"\"new\": create it. \"convert\": the address is today a user's mailbox (or a soft-deleted user's) and must become shared.","enum":["new","convert"],"default":"new"},"fullAccess":{"type":"array","items":{"$ref":"#/definitions/FullAccessGrant"},"default":[]},"sendAs":{"type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"sendOnBehalf":{"type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"permissionsMode":{"description":"\"authoritative\": trustees not listed are revoked. \"additive\": never revokes.","enum":["authoritative","additive"],"default":"authoritative"},"license":{"description":"The one SKU the mailbox's account holds, or \"none\": shorthand for licenses with one item (or none). Give license or licenses, not both.","$ref":"#/definitions/License"},"licenses":{"description":"Every SKU the mailbox's account holds, e.g. [\"EXCHANGESTANDARD\", \"EXCHANGEARCHIVE_ADDON\"] (Plan 1 with the archiving add-on allows holds and archives, R1.6); [] for none, the default.","type":"array","items":{"$ref":"#/definitions/SkuPartNumber"}},"usageLocation":{"description":"Usage location given to the mailbox's account when it must be licensed and has none; overrides tenant.usageLocation.","$ref":"#/definitions/UsageLocation"},"litigationHold":{"type":"boolean","default":false},"archive":{"type":"boolean","default":false},"removalPolicy":{"description":"\"retain\": taking the mailbox out of the code never deletes it. \"delete\": explicit opt-in to deletion once it leaves the code.","enum":["retain","delete"],"default":"retain"},"signIn":{"$ref":"#/definitions/SignIn"},"hiddenFromAddressLists":{"description":"Hide the mailbox from the address lists (Set-Mailbox -HiddenFromAddressListsEnabled).","type":"boolean","default":false},"emailAddresses":{"description":"Extra SMTP addresses the mailbox receives mail at (proxy addresses), in the tenant's domains; the primary is address.","type":"array","items":{"$ref":"#/definitions/Address"},"default":[]},"messageCopyForSentAs":{"description":"Keep a copy of mail sent as the mailbox in its Sent Items (Set-Mailbox -MessageCopyForSentAsEnabled).","type":"boolean","default":false},"messageCopyForSendOnBehalf":{"description":"Keep a copy of mail sent on behalf of the mailbox in its Sent Items (Set-Mailbox -MessageCopyForSendOnBehalfEnabled).","type":"boolean","default":false}}};
const schema15 = {"description":"A primary SMTP address or user principal name, compared case-insensitively.","type":"string","maxLength":320,"pattern":"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"};
const schema17 = {"description":"Exchange alias: at most 64 characters of letters, digits and !#%*+-/=?^_~, periods only between other characters.","type":"string","minLength":1,"maxLength":64,"pattern":"^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$"};
const schema22 = {"description":"\"none\" or a SKU part number such as EXCHANGEENTERPRISE.","type":"string","pattern":"^(none|[A-Z0-9_]+)$"};
const schema23 = {"description":"A SKU part number such as EXCHANGESTANDARD or EXCHANGEARCHIVE_ADDON.","type":"string","pattern":"^[A-Z0-9][A-Z0-9_]*$"};
const schema25 = {"description":"Whether people may sign in to the mailbox's account: blocked unless declared otherwise (R4.1). An exception says why, e.g. { \"allowed\": true, \"reason\": \"the scanner sends as this mailbox\" }.","type":"object","additionalProperties":false,"required":["allowed"],"properties":{"allowed":{"description":"true: sign-in stays enabled (an exception); false: blocked, the default.","type":"boolean"},"reason":{"description":"Why the account must sign in; required when allowed is true.","type":"string","minLength":1,"maxLength":500}},"if":{"properties":{"allowed":{"const":true}},"required":["allowed"]},"then":{"properties":{"reason":true},"required":["reason"]}};
const func3 = Object.prototype.hasOwnProperty;
const pattern3 = new RegExp("^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$", "u");
const pattern5 = new RegExp("^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$", "u");
const pattern9 = new RegExp("^(none|[A-Z0-9_]+)$", "u");
const pattern10 = new RegExp("^[A-Z0-9][A-Z0-9_]*$", "u");
const schema18 = {"type":"object","additionalProperties":false,"required":["trustee"],"properties":{"trustee":{"$ref":"#/definitions/Address"},"autoMapping":{"description":"Outlook opens the mailbox automatically for the trustee.","type":"boolean","default":true}}};

function validate14(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.trustee === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "trustee"},message:"must have required property '"+"trustee"+"'",schema:schema18.required,parentSchema:schema18,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!((key0 === "trustee") || (key0 === "autoMapping"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema18,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.trustee !== undefined){
let data0 = data.trustee;
if(typeof data0 === "string"){
if(func2(data0) > 320){
const err2 = {instancePath:instancePath+"/trustee",schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(!pattern3.test(data0)){
const err3 = {instancePath:instancePath+"/trustee",schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/trustee",schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.autoMapping !== undefined){
let data1 = data.autoMapping;
if(typeof data1 !== "boolean"){
const err5 = {instancePath:instancePath+"/autoMapping",schemaPath:"#/properties/autoMapping/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema18.properties.autoMapping.type,parentSchema:schema18.properties.autoMapping,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
}
else {
const err6 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema18.type,parentSchema:schema18,data};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
validate14.errors = vErrors;
return errors === 0;
}


function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.address === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "address"},message:"must have required property '"+"address"+"'",schema:schema14.required,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.displayName === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "displayName"},message:"must have required property '"+"displayName"+"'",schema:schema14.required,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!(func3.call(schema14.properties, key0))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.address !== undefined){
let data0 = data.address;
if(typeof data0 === "string"){
if(func2(data0) > 320){
const err3 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(!pattern3.test(data0)){
const err4 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.previousAddresses !== undefined){
let data1 = data.previousAddresses;
if(Array.isArray(data1)){
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
let data2 = data1[i0];
if(typeof data2 === "string"){
if(func2(data2) > 320){
const err6 = {instancePath:instancePath+"/previousAddresses/" + i0,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(!pattern3.test(data2)){
const err7 = {instancePath:instancePath+"/previousAddresses/" + i0,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/previousAddresses/" + i0,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
}
else {
const err9 = {instancePath:instancePath+"/previousAddresses",schemaPath:"#/properties/previousAddresses/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.previousAddresses.type,parentSchema:schema14.properties.previousAddresses,data:data1};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.displayName !== undefined){
let data3 = data.displayName;
if(typeof data3 === "string"){
if(func2(data3) > 256){
const err10 = {instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/maxLength",keyword:"maxLength",params:{limit: 256},message:"must NOT have more than 256 characters",schema:256,parentSchema:schema14.properties.displayName,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(func2(data3) < 1){
const err11 = {instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema14.properties.displayName,data:data3};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.properties.displayName.type,parentSchema:schema14.properties.displayName,data:data3};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data.alias !== undefined){
let data4 = data.alias;
if(typeof data4 === "string"){
if(func2(data4) > 64){
const err13 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/maxLength",keyword:"maxLength",params:{limit: 64},message:"must NOT have more than 64 characters",schema:64,parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(func2(data4) < 1){
const err14 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(!pattern5.test(data4)){
const err15 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$"},message:"must match pattern \""+"^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$"+"\"",schema:"^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$",parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema17.type,parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data.origin !== undefined){
let data5 = data.origin;
if(!((data5 === "new") || (data5 === "convert"))){
const err17 = {instancePath:instancePath+"/origin",schemaPath:"#/properties/origin/enum",keyword:"enum",params:{allowedValues: schema14.properties.origin.enum},message:"must be equal to one of the allowed values",schema:schema14.properties.origin.enum,parentSchema:schema14.properties.origin,data:data5};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.fullAccess !== undefined){
let data6 = data.fullAccess;
if(Array.isArray(data6)){
const len1 = data6.length;
for(let i1=0; i1<len1; i1++){
if(!(validate14(data6[i1], {instancePath:instancePath+"/fullAccess/" + i1,parentData:data6,parentDataProperty:i1,rootData}))){
vErrors = vErrors === null ? validate14.errors : vErrors.concat(validate14.errors);
errors = vErrors.length;
}
}
}
else {
const err18 = {instancePath:instancePath+"/fullAccess",schemaPath:"#/properties/fullAccess/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.fullAccess.type,parentSchema:schema14.properties.fullAccess,data:data6};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data.sendAs !== undefined){
let data8 = data.sendAs;
if(Array.isArray(data8)){
const len2 = data8.length;
for(let i2=0; i2<len2; i2++){
let data9 = data8[i2];
if(typeof data9 === "string"){
if(func2(data9) > 320){
const err19 = {instancePath:instancePath+"/sendAs/" + i2,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if(!pattern3.test(data9)){
const err20 = {instancePath:instancePath+"/sendAs/" + i2,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data9};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/sendAs/" + i2,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data9};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
}
else {
const err22 = {instancePath:instancePath+"/sendAs",schemaPath:"#/properties/sendAs/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.sendAs.type,parentSchema:schema14.properties.sendAs,data:data8};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data.sendOnBehalf !== undefined){
let data10 = data.sendOnBehalf;
if(Array.isArray(data10)){
const len3 = data10.length;
for(let i3=0; i3<len3; i3++){
let data11 = data10[i3];
if(typeof data11 === "string"){
if(func2(data11) > 320){
const err23 = {instancePath:instancePath+"/sendOnBehalf/" + i3,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data11};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if(!pattern3.test(data11)){
const err24 = {instancePath:instancePath+"/sendOnBehalf/" + i3,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data11};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
else {
const err25 = {instancePath:instancePath+"/sendOnBehalf/" + i3,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data11};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
else {
const err26 = {instancePath:instancePath+"/sendOnBehalf",schemaPath:"#/properties/sendOnBehalf/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.sendOnBehalf.type,parentSchema:schema14.properties.sendOnBehalf,data:data10};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.permissionsMode !== undefined){
let data12 = data.permissionsMode;
if(!((data12 === "authoritative") || (data12 === "additive"))){
const err27 = {instancePath:instancePath+"/permissionsMode",schemaPath:"#/properties/permissionsMode/enum",keyword:"enum",params:{allowedValues: schema14.properties.permissionsMode.enum},message:"must be equal to one of the allowed values",schema:schema14.properties.permissionsMode.enum,parentSchema:schema14.properties.permissionsMode,data:data12};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data.license !== undefined){
let data13 = data.license;
if(typeof data13 === "string"){
if(!pattern9.test(data13)){
const err28 = {instancePath:instancePath+"/license",schemaPath:"#/definitions/License/pattern",keyword:"pattern",params:{pattern: "^(none|[A-Z0-9_]+)$"},message:"must match pattern \""+"^(none|[A-Z0-9_]+)$"+"\"",schema:"^(none|[A-Z0-9_]+)$",parentSchema:schema22,data:data13};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/license",schemaPath:"#/definitions/License/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.type,parentSchema:schema22,data:data13};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data.licenses !== undefined){
let data14 = data.licenses;
if(Array.isArray(data14)){
const len4 = data14.length;
for(let i4=0; i4<len4; i4++){
let data15 = data14[i4];
if(typeof data15 === "string"){
if(!pattern10.test(data15)){
const err30 = {instancePath:instancePath+"/licenses/" + i4,schemaPath:"#/definitions/SkuPartNumber/pattern",keyword:"pattern",params:{pattern: "^[A-Z0-9][A-Z0-9_]*$"},message:"must match pattern \""+"^[A-Z0-9][A-Z0-9_]*$"+"\"",schema:"^[A-Z0-9][A-Z0-9_]*$",parentSchema:schema23,data:data15};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
else {
const err31 = {instancePath:instancePath+"/licenses/" + i4,schemaPath:"#/definitions/SkuPartNumber/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data15};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
}
else {
const err32 = {instancePath:instancePath+"/licenses",schemaPath:"#/properties/licenses/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.licenses.type,parentSchema:schema14.properties.licenses,data:data14};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data.usageLocation !== undefined){
let data16 = data.usageLocation;
if(typeof data16 === "string"){
if(!pattern2.test(data16)){
const err33 = {instancePath:instancePath+"/usageLocation",schemaPath:"#/definitions/UsageLocation/pattern",keyword:"pattern",params:{pattern: "^[A-Z]{2}$"},message:"must match pattern \""+"^[A-Z]{2}$"+"\"",schema:"^[A-Z]{2}$",parentSchema:schema13,data:data16};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
else {
const err34 = {instancePath:instancePath+"/usageLocation",schemaPath:"#/definitions/UsageLocation/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data16};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data.litigationHold !== undefined){
let data17 = data.litigationHold;
if(typeof data17 !== "boolean"){
const err35 = {instancePath:instancePath+"/litigationHold",schemaPath:"#/properties/litigationHold/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.litigationHold.type,parentSchema:schema14.properties.litigationHold,data:data17};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
if(data.archive !== undefined){
let data18 = data.archive;
if(typeof data18 !== "boolean"){
const err36 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.archive.type,parentSchema:schema14.properties.archive,data:data18};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data.removalPolicy !== undefined){
let data19 = data.removalPolicy;
if(!((data19 === "retain") || (data19 === "delete"))){
const err37 = {instancePath:instancePath+"/removalPolicy",schemaPath:"#/properties/removalPolicy/enum",keyword:"enum",params:{allowedValues: schema14.properties.removalPolicy.enum},message:"must be equal to one of the allowed values",schema:schema14.properties.removalPolicy.enum,parentSchema:schema14.properties.removalPolicy,data:data19};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data.signIn !== undefined){
let data20 = data.signIn;
const _errs49 = errors;
let valid20 = true;
const _errs50 = errors;
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
let missing0;
if((data20.allowed === undefined) && (missing0 = "allowed")){
const err38 = {};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
else {
if(data20.allowed !== undefined){
if(true !== data20.allowed){
const err39 = {};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
}
}
var _valid0 = _errs50 === errors;
errors = _errs49;
if(vErrors !== null){
if(_errs49){
vErrors.length = _errs49;
}
else {
vErrors = null;
}
}
if(_valid0){
const _errs52 = errors;
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.reason === undefined){
const err40 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/then/required",keyword:"required",params:{missingProperty: "reason"},message:"must have required property '"+"reason"+"'",schema:schema25.then.required,parentSchema:schema25.then,data:data20};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
var _valid0 = _errs52 === errors;
valid20 = _valid0;
}
if(!valid20){
const err41 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/if",keyword:"if",params:{failingKeyword: "then"},message:"must match \"then\" schema",schema:schema25.if,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.allowed === undefined){
const err42 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/required",keyword:"required",params:{missingProperty: "allowed"},message:"must have required property '"+"allowed"+"'",schema:schema25.required,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
for(const key1 in data20){
if(!((key1 === "allowed") || (key1 === "reason"))){
const err43 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(data20.allowed !== undefined){
let data22 = data20.allowed;
if(typeof data22 !== "boolean"){
const err44 = {instancePath:instancePath+"/signIn/allowed",schemaPath:"#/definitions/SignIn/properties/allowed/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema25.properties.allowed.type,parentSchema:schema25.properties.allowed,data:data22};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(data20.reason !== undefined){
let data23 = data20.reason;
if(typeof data23 === "string"){
if(func2(data23) > 500){
const err45 = {instancePath:instancePath+"/signIn/reason",schemaPath:"#/definitions/SignIn/properties/reason/maxLength",keyword:"maxLength",params:{limit: 500},message:"must NOT have more than 500 characters",schema:500,parentSchema:schema25.properties.reason,data:data23};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
if(func2(data23) < 1){
const err46 = {instancePath:instancePath+"/signIn/reason",schemaPath:"#/definitions/SignIn/properties/reason/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema25.properties.reason,data:data23};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
else {
const err47 = {instancePath:instancePath+"/signIn/reason",schemaPath:"#/definitions/SignIn/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.reason.type,parentSchema:schema25.properties.reason,data:data23};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
}
else {
const err48 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema25.type,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
if(data.hiddenFromAddressLists !== undefined){
let data24 = data.hiddenFromAddressLists;
if(typeof data24 !== "boolean"){
const err49 = {instancePath:instancePath+"/hiddenFromAddressLists",schemaPath:"#/properties/hiddenFromAddressLists/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.hiddenFromAddressLists.type,parentSchema:schema14.properties.hiddenFromAddressLists,data:data24};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
if(data.emailAddresses !== undefined){
let data25 = data.emailAddresses;
if(Array.isArray(data25)){
const len5 = data25.length;
for(let i5=0; i5<len5; i5++){
let data26 = data25[i5];
if(typeof data26 === "string"){
if(func2(data26) > 320){
const err50 = {instancePath:instancePath+"/emailAddresses/" + i5,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data26};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
if(!pattern3.test(data26)){
const err51 = {instancePath:instancePath+"/emailAddresses/" + i5,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data26};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
else {
const err52 = {instancePath:instancePath+"/emailAddresses/" + i5,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data26};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
}
else {
const err53 = {instancePath:instancePath+"/emailAddresses",schemaPath:"#/properties/emailAddresses/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.emailAddresses.type,parentSchema:schema14.properties.emailAddresses,data:data25};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data.messageCopyForSentAs !== undefined){
let data27 = data.messageCopyForSentAs;
if(typeof data27 !== "boolean"){
const err54 = {instancePath:instancePath+"/messageCopyForSentAs",schemaPath:"#/properties/messageCopyForSentAs/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.messageCopyForSentAs.type,parentSchema:schema14.properties.messageCopyForSentAs,data:data27};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
if(data.messageCopyForSendOnBehalf !== undefined){
let data28 = data.messageCopyForSendOnBehalf;
if(typeof data28 !== "boolean"){
const err55 = {instancePath:instancePath+"/messageCopyForSendOnBehalf",schemaPath:"#/properties/messageCopyForSendOnBehalf/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.messageCopyForSendOnBehalf.type,parentSchema:schema14.properties.messageCopyForSendOnBehalf,data:data28};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
}
else {
const err56 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema14.type,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
validate13.errors = vErrors;
return errors === 0;
}

const schema27 = {"type":"object","additionalProperties":false,"required":["address","license"],"properties":{"address":{"$ref":"#/definitions/Address"},"license":{"description":"The SKU part number the person's mailbox gets back.","type":"string","pattern":"^[A-Z0-9_]+$"}}};
const pattern14 = new RegExp("^[A-Z0-9_]+$", "u");

function validate17(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.address === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "address"},message:"must have required property '"+"address"+"'",schema:schema27.required,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.license === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "license"},message:"must have required property '"+"license"+"'",schema:schema27.required,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((key0 === "address") || (key0 === "license"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.address !== undefined){
let data0 = data.address;
if(typeof data0 === "string"){
if(func2(data0) > 320){
const err3 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(!pattern3.test(data0)){
const err4 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.license !== undefined){
let data1 = data.license;
if(typeof data1 === "string"){
if(!pattern14.test(data1)){
const err6 = {instancePath:instancePath+"/license",schemaPath:"#/properties/license/pattern",keyword:"pattern",params:{pattern: "^[A-Z0-9_]+$"},message:"must match pattern \""+"^[A-Z0-9_]+$"+"\"",schema:"^[A-Z0-9_]+$",parentSchema:schema27.properties.license,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/license",schemaPath:"#/properties/license/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.properties.license.type,parentSchema:schema27.properties.license,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
else {
const err8 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema27.type,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
validate17.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://exoform.dev/schema/desired-state.schema.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.formatVersion === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "formatVersion"},message:"must have required property '"+"formatVersion"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.stack === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "stack"},message:"must have required property '"+"stack"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.tenant === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "tenant"},message:"must have required property '"+"tenant"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.sharedMailboxes === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "sharedMailboxes"},message:"must have required property '"+"sharedMailboxes"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.userMailboxes === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "userMailboxes"},message:"must have required property '"+"userMailboxes"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
for(const key0 in data){
if(!((((((key0 === "formatVersion") || (key0 === "stack")) || (key0 === "tenant")) || (key0 === "sharedMailboxes")) || (key0 === "userMailboxes")) || (key0 === "ignore"))){
const err5 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.formatVersion !== undefined){
let data0 = data.formatVersion;
if(1 !== data0){
const err6 = {instancePath:instancePath+"/formatVersion",schemaPath:"#/properties/formatVersion/const",keyword:"const",params:{allowedValue: 1},message:"must be equal to constant",schema:1,parentSchema:schema11.properties.formatVersion,data:data0};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.stack !== undefined){
let data1 = data.stack;
if(typeof data1 === "string"){
if(!pattern0.test(data1)){
const err7 = {instancePath:instancePath+"/stack",schemaPath:"#/properties/stack/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",parentSchema:schema11.properties.stack,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/stack",schemaPath:"#/properties/stack/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.stack.type,parentSchema:schema11.properties.stack,data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.tenant !== undefined){
if(!(validate11(data.tenant, {instancePath:instancePath+"/tenant",parentData:data,parentDataProperty:"tenant",rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
if(data.sharedMailboxes !== undefined){
let data3 = data.sharedMailboxes;
if(Array.isArray(data3)){
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
if(!(validate13(data3[i0], {instancePath:instancePath+"/sharedMailboxes/" + i0,parentData:data3,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);
errors = vErrors.length;
}
}
}
else {
const err9 = {instancePath:instancePath+"/sharedMailboxes",schemaPath:"#/properties/sharedMailboxes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.sharedMailboxes.type,parentSchema:schema11.properties.sharedMailboxes,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.userMailboxes !== undefined){
let data5 = data.userMailboxes;
if(Array.isArray(data5)){
const len1 = data5.length;
for(let i1=0; i1<len1; i1++){
if(!(validate17(data5[i1], {instancePath:instancePath+"/userMailboxes/" + i1,parentData:data5,parentDataProperty:i1,rootData}))){
vErrors = vErrors === null ? validate17.errors : vErrors.concat(validate17.errors);
errors = vErrors.length;
}
}
}
else {
const err10 = {instancePath:instancePath+"/userMailboxes",schemaPath:"#/properties/userMailboxes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.userMailboxes.type,parentSchema:schema11.properties.userMailboxes,data:data5};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.ignore !== undefined){
let data7 = data.ignore;
if(Array.isArray(data7)){
const len2 = data7.length;
for(let i2=0; i2<len2; i2++){
let data8 = data7[i2];
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
if(data8.mailbox === undefined){
const err11 = {instancePath:instancePath+"/ignore/" + i2,schemaPath:"#/definitions/IgnoreRule/required",keyword:"required",params:{missingProperty: "mailbox"},message:"must have required property '"+"mailbox"+"'",schema:schema29.required,parentSchema:schema29,data:data8};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
for(const key1 in data8){
if(!(((key1 === "mailbox") || (key1 === "field")) || (key1 === "reason"))){
const err12 = {instancePath:instancePath+"/ignore/" + i2,schemaPath:"#/definitions/IgnoreRule/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema29,data:data8};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data8.mailbox !== undefined){
let data9 = data8.mailbox;
if(typeof data9 === "string"){
if(func2(data9) < 1){
const err13 = {instancePath:instancePath+"/ignore/" + i2+"/mailbox",schemaPath:"#/definitions/IgnoreRule/properties/mailbox/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema29.properties.mailbox,data:data9};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
else {
const err14 = {instancePath:instancePath+"/ignore/" + i2+"/mailbox",schemaPath:"#/definitions/IgnoreRule/properties/mailbox/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema29.properties.mailbox.type,parentSchema:schema29.properties.mailbox,data:data9};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data8.field !== undefined){
let data10 = data8.field;
if(typeof data10 !== "string"){
const err15 = {instancePath:instancePath+"/ignore/" + i2+"/field",schemaPath:"#/definitions/IgnoreRule/properties/field/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema29.properties.field.type,parentSchema:schema29.properties.field,data:data10};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data8.reason !== undefined){
let data11 = data8.reason;
if(typeof data11 !== "string"){
const err16 = {instancePath:instancePath+"/ignore/" + i2+"/reason",schemaPath:"#/definitions/IgnoreRule/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema29.properties.reason.type,parentSchema:schema29.properties.reason,data:data11};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
}
else {
const err17 = {instancePath:instancePath+"/ignore/" + i2,schemaPath:"#/definitions/IgnoreRule/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema29.type,parentSchema:schema29,data:data8};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
}
else {
const err18 = {instancePath:instancePath+"/ignore",schemaPath:"#/properties/ignore/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.ignore.type,parentSchema:schema11.properties.ignore,data:data7};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
}
else {
const err19 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

export const validateSharedMailboxSpec: PrecompiledValidator = validate19;

function validate19(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.address === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "address"},message:"must have required property '"+"address"+"'",schema:schema14.required,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.displayName === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "displayName"},message:"must have required property '"+"displayName"+"'",schema:schema14.required,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!(func3.call(schema14.properties, key0))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.address !== undefined){
let data0 = data.address;
if(typeof data0 === "string"){
if(func2(data0) > 320){
const err3 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(!pattern3.test(data0)){
const err4 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.previousAddresses !== undefined){
let data1 = data.previousAddresses;
if(Array.isArray(data1)){
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
let data2 = data1[i0];
if(typeof data2 === "string"){
if(func2(data2) > 320){
const err6 = {instancePath:instancePath+"/previousAddresses/" + i0,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(!pattern3.test(data2)){
const err7 = {instancePath:instancePath+"/previousAddresses/" + i0,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/previousAddresses/" + i0,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
}
else {
const err9 = {instancePath:instancePath+"/previousAddresses",schemaPath:"#/properties/previousAddresses/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.previousAddresses.type,parentSchema:schema14.properties.previousAddresses,data:data1};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.displayName !== undefined){
let data3 = data.displayName;
if(typeof data3 === "string"){
if(func2(data3) > 256){
const err10 = {instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/maxLength",keyword:"maxLength",params:{limit: 256},message:"must NOT have more than 256 characters",schema:256,parentSchema:schema14.properties.displayName,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(func2(data3) < 1){
const err11 = {instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema14.properties.displayName,data:data3};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.properties.displayName.type,parentSchema:schema14.properties.displayName,data:data3};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data.alias !== undefined){
let data4 = data.alias;
if(typeof data4 === "string"){
if(func2(data4) > 64){
const err13 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/maxLength",keyword:"maxLength",params:{limit: 64},message:"must NOT have more than 64 characters",schema:64,parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(func2(data4) < 1){
const err14 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(!pattern5.test(data4)){
const err15 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$"},message:"must match pattern \""+"^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$"+"\"",schema:"^[A-Za-z0-9!#%*+\\-/=?^_~]+(\\.[A-Za-z0-9!#%*+\\-/=?^_~]+)*$",parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/alias",schemaPath:"#/definitions/Alias/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema17.type,parentSchema:schema17,data:data4};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data.origin !== undefined){
let data5 = data.origin;
if(!((data5 === "new") || (data5 === "convert"))){
const err17 = {instancePath:instancePath+"/origin",schemaPath:"#/properties/origin/enum",keyword:"enum",params:{allowedValues: schema14.properties.origin.enum},message:"must be equal to one of the allowed values",schema:schema14.properties.origin.enum,parentSchema:schema14.properties.origin,data:data5};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.fullAccess !== undefined){
let data6 = data.fullAccess;
if(Array.isArray(data6)){
const len1 = data6.length;
for(let i1=0; i1<len1; i1++){
if(!(validate14(data6[i1], {instancePath:instancePath+"/fullAccess/" + i1,parentData:data6,parentDataProperty:i1,rootData}))){
vErrors = vErrors === null ? validate14.errors : vErrors.concat(validate14.errors);
errors = vErrors.length;
}
}
}
else {
const err18 = {instancePath:instancePath+"/fullAccess",schemaPath:"#/properties/fullAccess/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.fullAccess.type,parentSchema:schema14.properties.fullAccess,data:data6};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data.sendAs !== undefined){
let data8 = data.sendAs;
if(Array.isArray(data8)){
const len2 = data8.length;
for(let i2=0; i2<len2; i2++){
let data9 = data8[i2];
if(typeof data9 === "string"){
if(func2(data9) > 320){
const err19 = {instancePath:instancePath+"/sendAs/" + i2,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if(!pattern3.test(data9)){
const err20 = {instancePath:instancePath+"/sendAs/" + i2,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data9};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/sendAs/" + i2,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data9};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
}
else {
const err22 = {instancePath:instancePath+"/sendAs",schemaPath:"#/properties/sendAs/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.sendAs.type,parentSchema:schema14.properties.sendAs,data:data8};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data.sendOnBehalf !== undefined){
let data10 = data.sendOnBehalf;
if(Array.isArray(data10)){
const len3 = data10.length;
for(let i3=0; i3<len3; i3++){
let data11 = data10[i3];
if(typeof data11 === "string"){
if(func2(data11) > 320){
const err23 = {instancePath:instancePath+"/sendOnBehalf/" + i3,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data11};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if(!pattern3.test(data11)){
const err24 = {instancePath:instancePath+"/sendOnBehalf/" + i3,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data11};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
else {
const err25 = {instancePath:instancePath+"/sendOnBehalf/" + i3,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data11};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
else {
const err26 = {instancePath:instancePath+"/sendOnBehalf",schemaPath:"#/properties/sendOnBehalf/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.sendOnBehalf.type,parentSchema:schema14.properties.sendOnBehalf,data:data10};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.permissionsMode !== undefined){
let data12 = data.permissionsMode;
if(!((data12 === "authoritative") || (data12 === "additive"))){
const err27 = {instancePath:instancePath+"/permissionsMode",schemaPath:"#/properties/permissionsMode/enum",keyword:"enum",params:{allowedValues: schema14.properties.permissionsMode.enum},message:"must be equal to one of the allowed values",schema:schema14.properties.permissionsMode.enum,parentSchema:schema14.properties.permissionsMode,data:data12};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data.license !== undefined){
let data13 = data.license;
if(typeof data13 === "string"){
if(!pattern9.test(data13)){
const err28 = {instancePath:instancePath+"/license",schemaPath:"#/definitions/License/pattern",keyword:"pattern",params:{pattern: "^(none|[A-Z0-9_]+)$"},message:"must match pattern \""+"^(none|[A-Z0-9_]+)$"+"\"",schema:"^(none|[A-Z0-9_]+)$",parentSchema:schema22,data:data13};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/license",schemaPath:"#/definitions/License/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.type,parentSchema:schema22,data:data13};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data.licenses !== undefined){
let data14 = data.licenses;
if(Array.isArray(data14)){
const len4 = data14.length;
for(let i4=0; i4<len4; i4++){
let data15 = data14[i4];
if(typeof data15 === "string"){
if(!pattern10.test(data15)){
const err30 = {instancePath:instancePath+"/licenses/" + i4,schemaPath:"#/definitions/SkuPartNumber/pattern",keyword:"pattern",params:{pattern: "^[A-Z0-9][A-Z0-9_]*$"},message:"must match pattern \""+"^[A-Z0-9][A-Z0-9_]*$"+"\"",schema:"^[A-Z0-9][A-Z0-9_]*$",parentSchema:schema23,data:data15};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
else {
const err31 = {instancePath:instancePath+"/licenses/" + i4,schemaPath:"#/definitions/SkuPartNumber/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data15};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
}
else {
const err32 = {instancePath:instancePath+"/licenses",schemaPath:"#/properties/licenses/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.licenses.type,parentSchema:schema14.properties.licenses,data:data14};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data.usageLocation !== undefined){
let data16 = data.usageLocation;
if(typeof data16 === "string"){
if(!pattern2.test(data16)){
const err33 = {instancePath:instancePath+"/usageLocation",schemaPath:"#/definitions/UsageLocation/pattern",keyword:"pattern",params:{pattern: "^[A-Z]{2}$"},message:"must match pattern \""+"^[A-Z]{2}$"+"\"",schema:"^[A-Z]{2}$",parentSchema:schema13,data:data16};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
else {
const err34 = {instancePath:instancePath+"/usageLocation",schemaPath:"#/definitions/UsageLocation/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data16};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data.litigationHold !== undefined){
let data17 = data.litigationHold;
if(typeof data17 !== "boolean"){
const err35 = {instancePath:instancePath+"/litigationHold",schemaPath:"#/properties/litigationHold/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.litigationHold.type,parentSchema:schema14.properties.litigationHold,data:data17};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
if(data.archive !== undefined){
let data18 = data.archive;
if(typeof data18 !== "boolean"){
const err36 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.archive.type,parentSchema:schema14.properties.archive,data:data18};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data.removalPolicy !== undefined){
let data19 = data.removalPolicy;
if(!((data19 === "retain") || (data19 === "delete"))){
const err37 = {instancePath:instancePath+"/removalPolicy",schemaPath:"#/properties/removalPolicy/enum",keyword:"enum",params:{allowedValues: schema14.properties.removalPolicy.enum},message:"must be equal to one of the allowed values",schema:schema14.properties.removalPolicy.enum,parentSchema:schema14.properties.removalPolicy,data:data19};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data.signIn !== undefined){
let data20 = data.signIn;
const _errs49 = errors;
let valid20 = true;
const _errs50 = errors;
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
let missing0;
if((data20.allowed === undefined) && (missing0 = "allowed")){
const err38 = {};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
else {
if(data20.allowed !== undefined){
if(true !== data20.allowed){
const err39 = {};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
}
}
var _valid0 = _errs50 === errors;
errors = _errs49;
if(vErrors !== null){
if(_errs49){
vErrors.length = _errs49;
}
else {
vErrors = null;
}
}
if(_valid0){
const _errs52 = errors;
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.reason === undefined){
const err40 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/then/required",keyword:"required",params:{missingProperty: "reason"},message:"must have required property '"+"reason"+"'",schema:schema25.then.required,parentSchema:schema25.then,data:data20};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
var _valid0 = _errs52 === errors;
valid20 = _valid0;
}
if(!valid20){
const err41 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/if",keyword:"if",params:{failingKeyword: "then"},message:"must match \"then\" schema",schema:schema25.if,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.allowed === undefined){
const err42 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/required",keyword:"required",params:{missingProperty: "allowed"},message:"must have required property '"+"allowed"+"'",schema:schema25.required,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
for(const key1 in data20){
if(!((key1 === "allowed") || (key1 === "reason"))){
const err43 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(data20.allowed !== undefined){
let data22 = data20.allowed;
if(typeof data22 !== "boolean"){
const err44 = {instancePath:instancePath+"/signIn/allowed",schemaPath:"#/definitions/SignIn/properties/allowed/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema25.properties.allowed.type,parentSchema:schema25.properties.allowed,data:data22};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(data20.reason !== undefined){
let data23 = data20.reason;
if(typeof data23 === "string"){
if(func2(data23) > 500){
const err45 = {instancePath:instancePath+"/signIn/reason",schemaPath:"#/definitions/SignIn/properties/reason/maxLength",keyword:"maxLength",params:{limit: 500},message:"must NOT have more than 500 characters",schema:500,parentSchema:schema25.properties.reason,data:data23};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
if(func2(data23) < 1){
const err46 = {instancePath:instancePath+"/signIn/reason",schemaPath:"#/definitions/SignIn/properties/reason/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema25.properties.reason,data:data23};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
else {
const err47 = {instancePath:instancePath+"/signIn/reason",schemaPath:"#/definitions/SignIn/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.reason.type,parentSchema:schema25.properties.reason,data:data23};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
}
else {
const err48 = {instancePath:instancePath+"/signIn",schemaPath:"#/definitions/SignIn/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema25.type,parentSchema:schema25,data:data20};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
if(data.hiddenFromAddressLists !== undefined){
let data24 = data.hiddenFromAddressLists;
if(typeof data24 !== "boolean"){
const err49 = {instancePath:instancePath+"/hiddenFromAddressLists",schemaPath:"#/properties/hiddenFromAddressLists/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.hiddenFromAddressLists.type,parentSchema:schema14.properties.hiddenFromAddressLists,data:data24};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
if(data.emailAddresses !== undefined){
let data25 = data.emailAddresses;
if(Array.isArray(data25)){
const len5 = data25.length;
for(let i5=0; i5<len5; i5++){
let data26 = data25[i5];
if(typeof data26 === "string"){
if(func2(data26) > 320){
const err50 = {instancePath:instancePath+"/emailAddresses/" + i5,schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data26};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
if(!pattern3.test(data26)){
const err51 = {instancePath:instancePath+"/emailAddresses/" + i5,schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data26};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
else {
const err52 = {instancePath:instancePath+"/emailAddresses/" + i5,schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data26};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
}
else {
const err53 = {instancePath:instancePath+"/emailAddresses",schemaPath:"#/properties/emailAddresses/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema14.properties.emailAddresses.type,parentSchema:schema14.properties.emailAddresses,data:data25};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data.messageCopyForSentAs !== undefined){
let data27 = data.messageCopyForSentAs;
if(typeof data27 !== "boolean"){
const err54 = {instancePath:instancePath+"/messageCopyForSentAs",schemaPath:"#/properties/messageCopyForSentAs/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.messageCopyForSentAs.type,parentSchema:schema14.properties.messageCopyForSentAs,data:data27};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
if(data.messageCopyForSendOnBehalf !== undefined){
let data28 = data.messageCopyForSendOnBehalf;
if(typeof data28 !== "boolean"){
const err55 = {instancePath:instancePath+"/messageCopyForSendOnBehalf",schemaPath:"#/properties/messageCopyForSendOnBehalf/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema14.properties.messageCopyForSendOnBehalf.type,parentSchema:schema14.properties.messageCopyForSendOnBehalf,data:data28};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
}
else {
const err56 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema14.type,parentSchema:schema14,data};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
validate19.errors = vErrors;
return errors === 0;
}

export const validateUserMailboxSpec: PrecompiledValidator = validate21;

function validate21(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.address === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "address"},message:"must have required property '"+"address"+"'",schema:schema27.required,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.license === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "license"},message:"must have required property '"+"license"+"'",schema:schema27.required,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((key0 === "address") || (key0 === "license"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.address !== undefined){
let data0 = data.address;
if(typeof data0 === "string"){
if(func2(data0) > 320){
const err3 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/maxLength",keyword:"maxLength",params:{limit: 320},message:"must NOT have more than 320 characters",schema:320,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(!pattern3.test(data0)){
const err4 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/pattern",keyword:"pattern",params:{pattern: "^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"},message:"must match pattern \""+"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"+"\"",schema:"^[^@\\s]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/address",schemaPath:"#/definitions/Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.license !== undefined){
let data1 = data.license;
if(typeof data1 === "string"){
if(!pattern14.test(data1)){
const err6 = {instancePath:instancePath+"/license",schemaPath:"#/properties/license/pattern",keyword:"pattern",params:{pattern: "^[A-Z0-9_]+$"},message:"must match pattern \""+"^[A-Z0-9_]+$"+"\"",schema:"^[A-Z0-9_]+$",parentSchema:schema27.properties.license,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/license",schemaPath:"#/properties/license/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.properties.license.type,parentSchema:schema27.properties.license,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
else {
const err8 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema27.type,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
validate21.errors = vErrors;
return errors === 0;
}

