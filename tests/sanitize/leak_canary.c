/* Proves that leak detection is on in the sanitizer build: this program leaks on
 * purpose, and its ctest entry passes only if LeakSanitizer reports the leak. A
 * sanitizer run that silently stopped detecting leaks (ptrace restrictions,
 * detect_leaks=0) would otherwise look clean. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *volatile lost = malloc(4242);
    if (!lost) return 1;
    snprintf(lost, 4242, "leaked on purpose");
    lost = NULL;
    puts("leak_canary: leaked 4242 bytes");
    return 0;
}
