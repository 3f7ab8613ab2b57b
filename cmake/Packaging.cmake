# Install rules, CMake package config, pkg-config file and CPack (issue 9).
