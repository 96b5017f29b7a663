/* Maps 3 pages, then executes itself again with "after", which maps 4 pages and exits. */
#include <sys/mman.h>
#include <unistd.h>

static void map_pages(size_t pages) {
    mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        map_pages(4);
        return 0;
    }
    map_pages(3);
    execl(argv[0], argv[0], "after", (char *)NULL);
    return 1;
}
