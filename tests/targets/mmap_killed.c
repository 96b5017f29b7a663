/* Four threads loop mmap/munmap while the main thread kills the process after a second.
 *
 * Usage: mmap_killed [SIGNAL [wait]]: SIGNAL (default 9, SIGKILL; 6 is SIGABRT, raised
 * with abort()) is sent by the main thread to the whole process. With "wait" it first
 * prints one JSON line and reads a line from stdin (attach tests).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 4

static void *churn(void *unused) {
    (void)unused;
    for (;;) {
        void *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pages != MAP_FAILED)
            munmap(pages, 8192);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int signal_number = argc > 1 ? atoi(argv[1]) : SIGKILL;
    if (argc > 2 && strcmp(argv[2], "wait") == 0) {
        char line[16];
        printf("{\"pid\": %d}\n", getpid());
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
            return 1;
    }
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, churn, NULL);
    sleep(1);
    if (signal_number == SIGABRT)
        abort();
    kill(getpid(), signal_number);
    /* A signal sent to the process may be taken by another thread, which under a tracer
     * only acts on it once the tracer resumes it: returning now could exit with 0 first. */
    for (;;)
        pause();
}
