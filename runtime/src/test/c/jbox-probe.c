/*
 * jbox-probe — facts busybox cannot show, checked from inside a container by the integration
 * tests. Built static by the tests and copied into their test image.
 *   jbox-probe shm KEY         exit 0 if a SysV shared memory segment with KEY is visible, else 1
 *   jbox-probe shm-create KEY  create one (run on the host), print its id
 *   jbox-probe shm-remove ID   remove it again
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "shm") == 0) {
		int id = shmget((key_t)strtol(argv[2], NULL, 0), 0, 0);
		printf("%s\n", id >= 0 ? "visible" : "invisible");
		return id >= 0 ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "shm-create") == 0) {
		int id = shmget((key_t)strtol(argv[2], NULL, 0), 4096, IPC_CREAT | IPC_EXCL | 0600);
		if (id < 0) {
			perror("shmget");
			return 1;
		}
		printf("%d\n", id);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "shm-remove") == 0)
		return shmctl(atoi(argv[2]), IPC_RMID, NULL) < 0 ? 1 : 0;
	fprintf(stderr, "usage: jbox-probe shm|shm-create KEY, jbox-probe shm-remove ID\n");
	return 2;
}
