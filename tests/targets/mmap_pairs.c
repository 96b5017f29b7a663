/* The mmaptracker benchmark: N (default 2000) mmap/munmap pairs of two pages each. */
#include <stdlib.h>
#include <sys/mman.h>

static void *map_two_pages(void) {
    return mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(int argc, char **argv) {
    int pairs = argc > 1 ? atoi(argv[1]) : 2000;
    for (int i = 0; i < pairs; i++)
        munmap(map_two_pages(), 8192);
    return 0;
}
