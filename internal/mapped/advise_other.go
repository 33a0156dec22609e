//go:build !linux

package mapped

// Where madvise and posix_fadvise are not at hand, the advice is not
// given (see advise_linux.go).

func (f File) AdviseRandom() {}
func (f File) Unmap()        {}
func DropCached(string)      {}
