/** Values a careless or hostile client may send in place of a valid one. */
export declare const HOSTILE_VALUES: readonly unknown[];
/** Raw bodies that are not the JSON object a route expects. */
export declare const MALFORMED_BODIES: readonly string[];
/** Stand-ins for a numeric id in a path that name no object at all. */
export declare const HOSTILE_PATH_IDS: readonly string[];
/**
 * Other spellings of the id `id`, percent-encoded as they go in a URL: those JavaScript's `Number()`
 * reads as `id` itself (`Number(' 7')`, `Number('0x7')`, `Number('7e0')` are all 7) and the
 * full-width digits a Unicode normalisation would turn into it. A route must refuse every one with
 * 400: only the plain digits name the object.
 */
export declare function lenientSpellingsOf(id: number): string[];
/** Query strings that break paging and search rules. */
export declare const HOSTILE_QUERIES: readonly string[];
