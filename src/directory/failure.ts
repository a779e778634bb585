/** What kind of thing went wrong talking to a directory. */
export type DirectoryFailure = 'unreachable' | 'timeout' | 'tls' | 'bind' | 'search' | 'config';
