package project

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A FastAPI + Streamlit repository as public ones have it (modelled on
// joshuamkite/python-fastapi-and-streamlit-frontend-demo @ HEAD and others): Compose builds each
// folder, the API's command is its Dockerfile's CMD (or Compose's), the app learns the API's
// address from Compose's environment under the network name. Desklit runs the API on 127.0.0.1
// in its folder with its own requirements, gives the app the environment with the names made
// 127.0.0.1, and names what it cannot run.
func TestCompose(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"compose.yaml": `services:
  backend:
    build:
      context: ./backend-fastapi
    ports:
      - "8000:8000"
  frontend:
    build:
      context: ./frontend-streamlit
    ports: ["8501:8501"]
    environment:
      - API_URL=http://backend:8000
      - DB_URL=postgres://app@db:5432/notes
      - WORKER_HOST=worker
      - FROM_THE_SHELL
    depends_on: [backend]
  api:
    build: ./api
    command: gunicorn -b 0.0.0.0:9000 "main:app"
    environment:
      MODE: local
      BACKEND: http://backend:8000/v1
  worker:
    build: ./worker
    command: sh -c "python worker.py && sleep 1"
  db:
    image: postgres:16
  noport:
    build: ./worker
    command: ["python", "worker.py"]
`,
		"backend-fastapi/Dockerfile": "FROM python:3.12-slim AS build\nWORKDIR /opt\nCMD [\"echo\", \"build stage\"]\n\nFROM python:3.12-slim\n" +
			"EXPOSE 8000\nCMD [\"uvicorn\", \"app:app\", \"--workers\", \"1\", \"--host\", \"0.0.0.0\", \\\n  \"--port\", \"8000\"]\n",
		"backend-fastapi/app.py":              "from fastapi import FastAPI\napp = FastAPI()\n",
		"backend-fastapi/requirements.txt":    "fastapi==0.115.6\nuvicorn==0.34.0\n",
		"frontend-streamlit/app.py":           "import os, requests, streamlit as st\napi_url = os.getenv('API_URL', 'http://localhost:8000')\n",
		"frontend-streamlit/requirements.txt": "streamlit\nrequests\n",
		"api/main.py":                         "app = None\n",
		"worker/worker.py":                    "print('work')\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Script != filepath.Join(dir, "frontend-streamlit", "app.py") || p.Compose != filepath.Join(dir, "compose.yaml") {
		t.Fatalf("script %s, compose %q", p.Script, p.Compose)
	}
	wantEnv := []string{"API_URL=http://127.0.0.1:8000", "DB_URL=postgres://app@127.0.0.1:5432/notes", "WORKER_HOST=127.0.0.1"}
	if !slices.Equal(p.AppEnv, wantEnv) {
		t.Errorf("the app's environment %q, want %q", p.AppEnv, wantEnv)
	}
	if len(p.Services) != 2 {
		t.Fatalf("services %+v", p.Services)
	}
	back, api := p.Services[0], p.Services[1]
	if back.Name != "backend" || back.Port != 8000 || back.Dir != filepath.Join(dir, "backend-fastapi") ||
		!slices.Equal(back.Command, []string{"uvicorn", "app:app", "--workers", "1", "--host", "127.0.0.1", "--port", "8000"}) ||
		back.Deps == nil || back.Deps.File != filepath.Join(dir, "backend-fastapi", "requirements.txt") || back.Protect != ProtectNone ||
		back.Where("") != filepath.Join(dir, "compose.yaml")+" line 2" {
		t.Errorf("backend %+v", back)
	}
	if api.Name != "api-service" || api.Port != 9000 || api.Deps != nil ||
		!slices.Equal(api.Command, []string{"gunicorn", "-b", "127.0.0.1:9000", "main:app"}) ||
		!slices.Equal(api.Env, []string{"MODE=local", "BACKEND=http://127.0.0.1:8000/v1"}) {
		t.Errorf("api %+v", api)
	}
	left := strings.Join(p.ComposeLeftOut, "; ")
	for _, want := range []string{"worker (its command is a shell script", "db (the image postgres:16", "noport (no port"} {
		if !strings.Contains(left, want) {
			t.Errorf("left out %q lacks %q", left, want)
		}
	}
}

// desklit.toml's services are the project's own word: a Compose file beside them is not read.
func TestComposeAfterDesklitToml(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"app.py":             "import streamlit as st\n",
		"desklit.toml":       "[services.notes]\ncommand = [\"python\", \"api.py\"]\n",
		"docker-compose.yml": "services:\n  web:\n    build: .\n    command: streamlit run app.py\n  other:\n    build: .\n    command: python other.py --port 7000\n",
	})
	p, err := Load(dir)
	if err != nil || p.Compose != "" || len(p.Services) != 1 || p.Services[0].Name != "notes" {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestComposeHelpers(t *testing.T) {
	t.Parallel()
	if got := splitWords(`python -m "my app" --flag='a b'  x`); !slices.Equal(got, []string{"python", "-m", "my app", "--flag=a b", "x"}) {
		t.Errorf("splitWords = %q", got)
	}
	if got := loopback([]string{"flask", "run", "--host=0.0.0.0", "-b", "[::]:80", "--bind=0.0.0.0:81"}); !slices.Equal(got,
		[]string{"flask", "run", "--host=127.0.0.1", "-b", "127.0.0.1:80", "--bind=127.0.0.1:81"}) {
		t.Errorf("loopback = %q", got)
	}
	for _, tt := range []struct {
		ports []any
		argv  []string
		want  int
	}{
		{[]any{"127.0.0.1:8080:80/tcp"}, nil, 80},
		{[]any{map[string]any{"target": 5000, "published": "5001"}}, nil, 5000},
		{nil, []string{"uvicorn", "x:app", "--port=7001"}, 7001},
		{nil, []string{"gunicorn", "--bind", "0.0.0.0:7002"}, 7002},
		{nil, []string{"python", "api.py"}, 0},
	} {
		if got := composePort(tt.ports, nil, 0, tt.argv); got != tt.want {
			t.Errorf("composePort(%v, %q) = %d, want %d", tt.ports, tt.argv, got, tt.want)
		}
	}
	taken := map[string]bool{}
	for _, tt := range [][2]string{{"Backend_API", "backend_api"}, {"api", "api-service"}, {"backend_api", "backend_api-2"}, {"9lives", "svc-9lives"}} {
		if got := serviceName(tt[0], taken); got != tt[1] {
			t.Errorf("serviceName(%q) = %q, want %q", tt[0], got, tt[1])
		}
	}
}
