// The remote scripts are POSIX shell for Linux hosts, and these tests run them with /bin/sh and /proc.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
