/* keeps the support library non-empty */
typedef int h5rd_test_support_empty;
