package shell

import (
	"context"
	"path/filepath"

	"github.com/desklit/desklit/app/packager"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

// PackageOptions are the packager's options for packaging p (`desklit package`, File › Package
// App…): the interpreter (in p's python range) and uv found as for an environment, Desklit's lock and wheel folders,
// this program's folder for this system's binaries, Desklit's icon, and <logs>/package.log for
// uv's and pip's output (closeLog ends it). The caller sets what to make.
func (s *Shell) PackageOptions(ctx context.Context, p *project.Project) (o packager.Options, closeLog func(), err error) {
	if err := s.unpackApp(); err != nil {
		return o, nil, err
	}
	want, err := p.PythonRange()
	if err != nil {
		return o, nil, err
	}
	py, err := pyruntime.FindCached(ctx, s.o.Paths.Data, s.cfg.Python, envLookup(s.o.Environ), want)
	if err != nil {
		return o, nil, err
	}
	uv := s.o.UV
	if uv == "" {
		if uv, err = pyruntime.FindUV(s.o.Exe, envLookup(s.o.Environ)); err != nil {
			return o, nil, err
		}
	}
	logw, closeLog := s.logFile("package.log")
	rt := s.runtimeOptions(nil)
	rt.Python, rt.UV = py, uv
	return packager.Options{
		Project: p.Path, Self: s.o.Exe, DefaultIcon: s.o.Icon, Runtime: rt, Log: logw,
		OutDir: filepath.Join(s.o.Paths.Data, "packages"),
	}, closeLog, nil
}
