module rofsguard.dev/loadclient

go 1.24
