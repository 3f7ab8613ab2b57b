/* ctest: the version macros of include/h5rd.h agree with each other, with the library the
 * program is linked against (h5rd_version()) and with the version CMake parsed from the
 * header (H5RD_PROJECT_VERSION, passed on the command line). */
#include <h5rd.h>

#include <stdio.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)

int main(void)
{
    char joined[64];
    int failed = 0, passed = 0;

    snprintf(joined, sizeof joined, "%d.%d.%d", H5RD_VERSION_MAJOR, H5RD_VERSION_MINOR,
             H5RD_VERSION_PATCH);
    if (strcmp(joined, H5RD_VERSION_STRING) == 0) {
        passed++;
        printf("PASS: MAJOR.MINOR.PATCH = %s = H5RD_VERSION_STRING\n", joined);
    } else {
        failed++;
        printf("FAIL: MAJOR.MINOR.PATCH = %s, H5RD_VERSION_STRING = %s\n", joined,
               H5RD_VERSION_STRING);
    }
    if (strcmp(h5rd_version(), H5RD_VERSION_STRING) == 0) {
        passed++;
        printf("PASS: h5rd_version() = %s\n", h5rd_version());
    } else {
        failed++;
        printf("FAIL: h5rd_version() = %s, header %s\n", h5rd_version(), H5RD_VERSION_STRING);
    }
    if (strcmp(STR(H5RD_PROJECT_VERSION), H5RD_VERSION_STRING) == 0) {
        passed++;
        printf("PASS: CMake PROJECT_VERSION = %s\n", STR(H5RD_PROJECT_VERSION));
    } else {
        failed++;
        printf("FAIL: CMake PROJECT_VERSION = %s, header %s\n", STR(H5RD_PROJECT_VERSION),
               H5RD_VERSION_STRING);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
