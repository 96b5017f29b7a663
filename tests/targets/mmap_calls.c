/* Every kind of memory-mapping call mmaptracker must log, each with a size of its own.
 *
 * Prints one JSON line with the addresses it mapped. With "wait" it then reads a line
 * from stdin and maps 13 pages more before exiting (attach and origins tests).
 * A forked child maps 11 pages: the tracker stays with the parent and must not log it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

static char *map_pages(size_t pages) { return mmap(NULL, pages * PAGE, RW, ANON, -1, 0); }

static char *middle_function(void) { return map_pages(5); }

static char *outer_function(void) { return middle_function(); }

static void *thread_maps(void *result) {
    *(char **)result = map_pages(9);
    return NULL;
}

static void fork_child_that_maps(void) {
    pid_t child = fork();
    if (child == 0) {
        map_pages(11);
        _exit(0);
    }
    waitpid(child, NULL, 0);
}

int main(int argc, char **argv) {
    char *nested = outer_function();

    char *partial = map_pages(4);
    munmap(partial + PAGE, PAGE);

    char *split = map_pages(3);
    mprotect(split + PAGE, PAGE, PROT_READ);

    char *remapped = mremap(map_pages(6), 6 * PAGE, 10 * PAGE, MREMAP_MAYMOVE);

    char *raw = (char *)syscall(SYS_mmap, 0, 7 * PAGE, RW, ANON, -1, 0);

    char *from_thread = NULL;
    pthread_t thread;
    pthread_create(&thread, NULL, thread_maps, &from_thread);
    pthread_join(thread, NULL);

    int fd = open(argv[0], O_RDONLY);
    char *file = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);

    mmap(NULL, 0, RW, ANON, -1, 0); /* fails: EINVAL */
    char *heap_top = sbrk(16 * PAGE);
    sbrk(16 * PAGE);

    fork_child_that_maps();

    printf("{\"pid\": %d, \"nested\": %lu, \"partial\": %lu, \"split\": %lu, \"remapped\": %lu, "
           "\"raw\": %lu, \"thread\": %lu, \"file\": %lu, \"heap\": %lu}\n",
           getpid(), (unsigned long)nested, (unsigned long)partial, (unsigned long)split,
           (unsigned long)remapped, (unsigned long)raw, (unsigned long)from_thread,
           (unsigned long)file, (unsigned long)heap_top);
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "wait") == 0) {
        char line[16];
        if (fgets(line, sizeof line, stdin))
            map_pages(13);
    }
    return 0;
}
