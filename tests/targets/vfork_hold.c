/* A thread that cannot be stopped: it vforked, and waits in the kernel (state D) until its
 * child exits, after argv[1] seconds. The main thread waits in pause(). Prints
 * "ready TID" (the vforking thread's LWP) once that thread is in vfork. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *vforker(void *seconds) {
    printf("ready %ld\n", (long)syscall(SYS_gettid));
    fflush(stdout);
    if (vfork() == 0) {
        sleep(atoi(seconds));
        _exit(0);
    }
    pause();
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t thread;
    pthread_create(&thread, NULL, vforker, argc > 1 ? argv[1] : "60");
    pause();
    return 0;
}
