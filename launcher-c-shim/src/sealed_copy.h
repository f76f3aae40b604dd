/* sealed_copy.h — see sealed_copy.c: the shim re-executes itself from a sealed memfd. */
#ifndef JBOX_SEALED_COPY_H
#define JBOX_SEALED_COPY_H

/* Returns at once when already running from a sealed copy; otherwise makes one and fexecve()s it
 * with the same argv and environment. Any failure prints one line and exits 125. */
void run_from_sealed_copy(char **argv);

#endif
