// One list of hostile values for the stack's fuzzing and for the controllers' unit tables.
export { HOSTILE_PATH_IDS, HOSTILE_QUERIES, HOSTILE_VALUES, lenientSpellingsOf } from '../../../../../test/support/hostile-values';
