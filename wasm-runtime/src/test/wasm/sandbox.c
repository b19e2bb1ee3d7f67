/* Reports what the sandbox lets it see: arguments, environment, files, directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include "util.h"

extern char **environ;

int main(int argc, char **argv) {
  size_t n;
  read_all(&n);
  int env = 0;
  for (char **e = environ; e && *e; e++) env++;
  int passwd = open("/etc/passwd", O_RDONLY);
  int passwd_errno = errno;
  int cwd = open(".", O_RDONLY | O_DIRECTORY);
  FILE *created = fopen("created.txt", "w");
  DIR *root = opendir("/");
  printf("{\"argc\":%d,\"argv\":[", argc);
  for (int i = 0; i < argc; i++) printf("%s\"%s\"", i ? "," : "", argv[i]);
  printf("],\"env\":%d,\"home\":%s,\"passwd\":%d,\"passwdErrno\":%d,\"cwd\":%d,\"created\":%s,\"root\":%s}\n", env,
         getenv("HOME") ? "true" : "false", passwd, passwd_errno, cwd, created ? "true" : "false",
         root ? "true" : "false");
  return 0;
}
