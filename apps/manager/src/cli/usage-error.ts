/** A command line the admin tool cannot act on; it prints the usage after the message. */
export class UsageError extends Error {}
