package project

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
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
      - BACKEND_HOST=backend:8000
      - NOT_A_HOST=backend:latest
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
	wantEnv := []string{"API_URL=http://127.0.0.1:8000", "DB_URL=postgres://app@127.0.0.1:5432/notes", "WORKER_HOST=127.0.0.1",
		"BACKEND_HOST=127.0.0.1:8000", "NOT_A_HOST=backend:latest"}
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

// A service's container name means this machine too, as Compose's network resolves it: its
// container_name, Compose 1's "<project>_<service>_1" (Jo-Eck/FinTrack's API_HOST=fintrack_api_1)
// and Compose 2's "<project>-<service>-1".
func TestComposeContainerNames(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"app.py": "import streamlit as st\n",
		"docker-compose.yml": "name: Fin-Track\nservices:\n  web:\n    build: .\n    command: streamlit run app.py\n" +
			"    environment:\n      - API_HOST=fintrack_api_1\n      - API_URL=http://fin-track-api-1:5000/v1\n      - DB=postgres://u@ledger_db:5432/x\n      - OTHER=fintrack_web_2\n" +
			"  api:\n    build: .\n    command: python api.py --port 5000\n  db:\n    image: postgres\n    container_name: ledger_db\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"API_HOST=127.0.0.1", "API_URL=http://127.0.0.1:5000/v1", "DB=postgres://u@127.0.0.1:5432/x", "OTHER=fintrack_web_2"}
	if !slices.Equal(p.AppEnv, want) {
		t.Errorf("the app's environment %q, want %q", p.AppEnv, want)
	}
}

func TestComposeHelpers(t *testing.T) {
	t.Parallel()
	if got := splitWords(`python -m "my app" --flag='a b'  x`); !slices.Equal(got, []string{"python", "-m", "my app", "--flag=a b", "x"}) {
		t.Errorf("splitWords = %q", got)
	}
	// A Dockerfile as people write them: CRLF, an EXPOSE with nothing after it (no crash), WORKDIR.
	df := filepath.Join(t.TempDir(), "Dockerfile")
	testutil.WriteFile(t, df, "FROM python:3.11\r\nEXPOSE \r\nWORKDIR \"/app/src\"\r\nEXPOSE 8501/tcp\r\nCMD [\"streamlit\", \"run\", \"app.py\"]\r\n")
	if d := dockerfileOf(df); d.expose != 8501 || d.workdir != "/app/src" || !slices.Equal(d.cmd, []string{"streamlit", "run", "app.py"}) {
		t.Errorf("dockerfileOf = %+v", d)
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

// What public repositories' Compose files and Dockerfiles hold, as Docker reads them: a
// Dockerfile named in another case (Docker Desktop on Windows finds it), ENTRYPOINT [""] (Docker's
// way of clearing one), a program of the image (/entrypoint), a service's own API_HOST=0.0.0.0,
// a Dockerfile that is not there (said so), and a Compose file named Docker-compose.yml.
func TestComposeAsDockerReadsIt(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"Docker-compose.yml": `services:
  api:
    build:
      context: ./api
      dockerfile: ./api.Dockerfile
    ports: ["8888:8888"]
    environment:
      - API_HOST=0.0.0.0
  worker:
    build: ./worker
    entrypoint: ["/entrypoint"]
    command: /start
    ports: ["5555:5555"]
  missing:
    build:
      context: ./worker
      dockerfile: Dockerfile.prod
  app:
    build: ./ui
`,
		"api/api.dockerfile": "FROM python:3.11\nENTRYPOINT [\"\"]\nCMD [\"python\", \"api.py\"]\n",
		"api/api.py":         "",
		"worker/Dockerfile":  "FROM python:3.11\n",
		"ui/app.py":          "import streamlit as st\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 1 || !slices.Equal(p.Services[0].Command, []string{"python", "api.py"}) || !slices.Equal(p.Services[0].Env, []string{"API_HOST=127.0.0.1"}) {
		t.Fatalf("services %+v", p.Services)
	}
	left := strings.Join(p.ComposeLeftOut, "; ")
	for _, want := range []string{"worker (its program /entrypoint is a file of its image", "missing (its Dockerfile Dockerfile.prod is not in ./worker)"} {
		if !strings.Contains(left, want) {
			t.Errorf("left out %q lacks %q", left, want)
		}
	}
}

// A repository whose root holds no script of its own, its app named by its Compose file's
// command (LiliGC/iris-classifier-flask-streamlit: streamlit run iris_app/frontend/frontend.py
// from the root; idashevskii/streamlit-fastapi-template: python -m streamlit run
// src/streamlit_app.py in frontend/'s build); and a folder of several scripts whose Dockerfile,
// Procfile or dev container runs one (deployedScript).
func TestComposeNamesTheScript(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a command from the root", map[string]string{
			"docker-compose.yml":                 "services:\n  web:\n    build: .\n    command: streamlit run iris_app/frontend/frontend.py --server.port 8501\n",
			"iris_app/frontend/frontend.py":      "import streamlit as st\nimport requests\n",
			"iris_app/frontend/requirements.txt": "streamlit\n",
			"iris_app/backend/app.py":            "from flask import Flask\n",
			"iris_app/model/train.py":            "import sklearn\n",
		}, "iris_app/frontend/frontend.py"},
		{"a Dockerfile's CMD in its build folder", map[string]string{
			"docker-compose.yml":            "services:\n  frontend:\n    build: ./frontend\n",
			"frontend/Dockerfile":           "FROM python:3.12\nCMD [\"python\", \"-m\", \"streamlit\", \"run\", \"src/streamlit_app.py\"]\n",
			"frontend/src/streamlit_app.py": "from src.ui import main\n",
			"frontend/src/ui.py":            "import helpers\n",
			"backend/main.py":               "from fastapi import FastAPI\n",
			"backend/other.py":              "",
		}, "frontend/src/streamlit_app.py"},
		// yaruslove/hack's Dockerfile: ENTRYPOINT ["streamlit","run"] with the script as CMD.
		{"a lone Dockerfile's ENTRYPOINT and CMD", map[string]string{
			"Dockerfile":       "FROM python:3.9.18\nWORKDIR /app\nCOPY . /app\nENTRYPOINT [\"streamlit\",\"run\"]\n\nCMD [\"streamlit-app.py\"]\n",
			"streamlit-app.py": "import streamlit as st\n", "explore.py": "import streamlit as st\n",
		}, "streamlit-app.py"},
		{"a Dockerfile's WORKDIR below the copied repository", map[string]string{
			"Dockerfile":        "FROM python:3.9-slim\nCOPY . /app\nWORKDIR /app/src\nCMD [\"streamlit\", \"run\", \"unique-app.py\"]\n",
			"src/unique-app.py": "import streamlit as st\n", "src/other.py": "import streamlit as st\n",
			"a.py": "import streamlit as st\n", "b.py": "import streamlit as st\n",
		}, "src/unique-app.py"},
		{"a Dockerfile's shell form with an absolute path", map[string]string{
			"Dockerfile":    "FROM python:3.11\nCMD streamlit run /code/dash/main1.py --server.port $PORT\n",
			"dash/main1.py": "import streamlit as st\n", "a.py": "import streamlit as st\n", "b.py": "import streamlit as st\n",
		}, "dash/main1.py"},
		{"a Dockerfile that installs the project's requirements.txt", map[string]string{
			"Dockerfile":       "FROM python:3.11\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"streamlit\", \"run\", \"dash.py\"]\n",
			"requirements.txt": "streamlit\n", "dash.py": "import streamlit as st\n", "other.py": "import streamlit as st\n",
			"README.md": "streamlit run other.py\n",
		}, "dash.py"},
		// rcsmit/streamlit_scripts: a Hugging Face Space for one of a hundred scripts, with a
		// requirements file of its own, beside a README that runs the menu.
		{"a Dockerfile for another app than the project's", map[string]string{
			"Dockerfile": "FROM python:3.10-slim\nWORKDIR /app\nCOPY requirements_handstandanalyzer.txt .\n" +
				"RUN pip install --no-cache-dir -r requirements_handstandanalyzer.txt\nCOPY . .\n" +
				"CMD [\"streamlit\", \"run\", \"handstand_analyzer.py\", \"--server.port=7860\"]\n",
			"requirements_handstandanalyzer.txt": "streamlit\nopencv-python-headless\n", "requirements.txt": "streamlit\npandas\n",
			"handstand_analyzer.py": "import streamlit as st\n", "menu_streamlit.py": "import streamlit as st\n", "berlin.py": "import streamlit as st\n",
			"README.md": "## Run\n\n```\nstreamlit run menu_streamlit.py\n```\n",
		}, "menu_streamlit.py"},
		{"Heroku's Procfile", map[string]string{
			"Procfile": "web: sh setup.sh && streamlit run covid_app.py\n", "setup.sh": "mkdir -p ~/.streamlit/\n",
			"covid_app.py": "import streamlit as st\n", "scrape.py": "import streamlit as st\n",
		}, "covid_app.py"},
		// xinge-ji/dashboard's README (before st.navigation's pages were told from the app), in
		// a fenced block after another script's mention.
		{"the README's instructions", map[string]string{
			"readme.md":               "# 数据看板\n\n## 运行\n\n```\nstreamlit run streamlit_navigation.py\n```\n\nor python -m streamlit run other.py\n",
			"streamlit_navigation.py": "import streamlit as st\n", "index.py": "import streamlit as st\n", "other.py": "import streamlit as st\n",
		}, "streamlit_navigation.py"},
		// Streamlit's Codespaces template; a recipe that names a script not here is passed over
		// (streamlit-aggrid-examples' names example.py).
		{"a dev container's command", map[string]string{
			".devcontainer/devcontainer.json": "{\n  // comments, as VS Code writes them\n  \"postAttachCommand\": {\"server\": \"streamlit run gone.py\"},\n  \"x\": \"streamlit run 'Main Page.py' --server.enableCORS false\"\n}\n",
			"Main Page.py":                    "import streamlit as st\n", "other.py": "import streamlit as st\n",
		}, "Main Page.py"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t, tt.files)
			p, err := Load(dir)
			if err != nil || p.Script != filepath.Join(dir, filepath.FromSlash(tt.want)) {
				t.Fatalf("Load = %v, %v; want the script %s", p, err, tt.want)
			}
		})
	}
}

// The development form of a Compose file (AshvinPainiaye/m1-brief2-docker): a Python image runs
// the project's folder, mounted as its working directory, with a shell line that installs the
// requirements and starts the service. Desklit installs them itself and runs the rest; the API
// shares the app's requirements, so it runs in the app's environment.
func TestComposeMountedProject(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"docker-compose.yml": `version: "3.9"
services:
  api:
    image: python:3.11-slim
    working_dir: /app
    command: bash -c "pip install --no-cache-dir -r requirements.txt && uvicorn api:app --host 0.0.0.0 --port 8000 --reload"
    volumes:
      - .:/app
    ports:
      - "8000:8000"
  streamlit:
    image: python:3.11-slim
    working_dir: /app
    command: bash -c "pip install --no-cache-dir -r requirements.txt && streamlit run streamlit.py --server.port=8501 --server.address=0.0.0.0"
    volumes:
      - .:/app
    environment:
      - API_URL=http://api:8000
  db:
    image: postgres:16
    volumes: ["./data:/var/lib/postgresql/data"]
`,
		"streamlit.py":     "import streamlit as st\nimport requests\n",
		"api.py":           "from fastapi import FastAPI\napp = FastAPI()\n",
		"app.py":           "",
		"main.py":          "",
		"requirements.txt": "streamlit\nfastapi\nuvicorn\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p.Script) != "streamlit.py" || !slices.Equal(p.AppEnv, []string{"API_URL=http://127.0.0.1:8000"}) {
		t.Errorf("script %s, env %v", p.Script, p.AppEnv)
	}
	if len(p.Services) != 1 || p.Services[0].Name != "api-service" || p.Services[0].Deps != nil || p.Services[0].Dir != dir ||
		!slices.Equal(p.Services[0].Command, []string{"uvicorn", "api:app", "--host", "127.0.0.1", "--port", "8000", "--reload"}) {
		t.Errorf("services %+v", p.Services)
	}
	if left := strings.Join(p.ComposeLeftOut, "; "); !strings.Contains(left, "db (the image postgres:16") {
		t.Errorf("left out %q", left)
	}
	if got := withoutInstall([]string{"sh", "-c", "pip install x && python a.py; rm -rf /"}); len(got) != 3 {
		t.Errorf("a line with more than the install and one command is not taken apart: %q", got)
	}
}

// A Compose file's variables are filled in as Compose fills them (the environment, else the .env
// beside the file, else the file's default), and a service's env_file is part of its environment
// (its environment: wins).
func TestComposeVariablesAndEnvFiles(t *testing.T) {
	t.Setenv("DESKLIT_TEST_COMPOSE_WORKERS", "3")
	dir := tree(t, map[string]string{
		"compose.yaml": `services:
  backend:
    build: ./backend
    command: uvicorn main:app --workers ${DESKLIT_TEST_COMPOSE_WORKERS} --port ${API_PORT:-8000}
    ports: ["${API_PORT:-8000}:${API_PORT:-8000}"]
  frontend:
    build: ./frontend
    env_file:
      - ./frontend/frontend.env
      - path: ./missing.env
        required: false
    environment:
      API_URL: http://backend:${API_PORT:-8000}
      MODE: ${MODE-debug}
      PRICE: $$5
`,
		".env":                  "# the project's settings\nexport API_PORT=9001\nSECRET_NAME='not used'\n",
		"frontend/frontend.env": "MODE=from-file\nTITLE=\"Sales dashboard\" \nAPI_URL=http://overridden\n",
		"frontend/app.py":       "import streamlit as st\n",
		"backend/main.py":       "app = None\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 1 || p.Services[0].Port != 9001 ||
		!slices.Equal(p.Services[0].Command, []string{"uvicorn", "main:app", "--workers", "3", "--port", "9001"}) {
		t.Fatalf("services %+v", p.Services)
	}
	want := []string{"API_URL=http://overridden", "MODE=from-file", "TITLE=Sales dashboard", "API_URL=http://127.0.0.1:9001", "MODE=debug", "PRICE=$5"}
	if !slices.Equal(p.AppEnv, want) {
		t.Errorf("the app's environment %q, want %q", p.AppEnv, want)
	}
}

// A service on a port below 1024 (FastAPI's Docker recipe: --port 80), which a user cannot bind
// on Linux, runs on the host side of its ports entry ("8080:80"), else 8000 above it, on a port
// no other service has; the addresses of it follow (backend:80, http://backend:80,
// http://backend). A port the command does not name stays (the program chose it itself).
// The shape of mullzhang/app-streamlit-fastapi.
func TestComposePrivilegedPorts(t *testing.T) {
	dir := tree(t, map[string]string{
		"docker-compose.yml": `services:
  backend:
    build: ./backend
    ports: ["8080:80"]
  admin:
    build: ./admin
    command: fastapi run main.py --port=80
  mail:
    build: ./mail
    expose: ["25"]
  frontend:
    build: ./frontend
    environment:
      BACKEND_HOST: backend:80
      API_URL: http://backend:80/v1
      PLAIN: http://backend
      ADMIN: http://admin:80
      OTHER_PORT: http://backend:8000
      MAIL: mail:25
`,
		"backend/Dockerfile":        "FROM python:3.12-slim\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"80\"]\n",
		"backend/main.py":           "app = None\n",
		"admin/Dockerfile":          "FROM python:3.12-slim\n",
		"admin/main.py":             "app = None\n",
		"mail/Dockerfile":           "FROM python:3.12-slim\nCMD [\"python\", \"mail.py\"]\n",
		"mail/mail.py":              "pass\n",
		"frontend/Dockerfile":       "FROM python:3.12-slim\nCMD [\"streamlit\", \"run\", \"app.py\"]\n",
		"frontend/app.py":           "import streamlit as st\n",
		"frontend/requirements.txt": "streamlit\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Service{}
	for _, sv := range p.Services {
		got[sv.Name] = sv
	}
	if b := got["backend"]; b.Port != 8080 || !slices.Equal(b.Command, []string{"uvicorn", "main:app", "--host", "127.0.0.1", "--port", "8080"}) {
		t.Errorf("backend: port %d, command %q; want 8080, its --port 8080", b.Port, b.Command)
	}
	if a := got["admin"]; a.Port != 8081 || !slices.Equal(a.Command, []string{"fastapi", "run", "main.py", "--port=8081"}) {
		t.Errorf("admin: port %d, command %q; want 8081 (80+8000 is the backend's)", a.Port, a.Command)
	}
	if m := got["mail"]; m.Port != 25 {
		t.Errorf("mail: port %d, want 25 (its command names none)", m.Port)
	}
	want := []string{"ADMIN=http://127.0.0.1:8081", "API_URL=http://127.0.0.1:8080/v1", "BACKEND_HOST=127.0.0.1:8080", "MAIL=127.0.0.1:25",
		"OTHER_PORT=http://127.0.0.1:8000", "PLAIN=http://127.0.0.1:8080"}
	if env := slices.Sorted(slices.Values(p.AppEnv)); !slices.Equal(env, want) {
		t.Errorf("the app's environment %q,\nwant %q", env, want)
	}
}

// Build folders named in another case than the file says (build: ./api for API/, streamlit/ for
// Streamlit/), as Docker Desktop on Windows and macOS finds them: the services run, and the app is
// found from the root. The shape of Arbarbn/fastapi-streamlit-tutorial.
func TestComposeBuildFolderInAnotherCase(t *testing.T) {
	dir := tree(t, map[string]string{
		"docker-compose.yml": `services:
  api:
    build: ./api
    ports: ["8000:8000"]
  streamlit:
    build: ./streamlit/
    environment:
      API_URL: http://api:8000
`,
		"API/Dockerfile":             "FROM python:3.11-slim\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]\n",
		"API/main.py":                "app = None\n",
		"API/requirements.txt":       "fastapi\nuvicorn\n",
		"Streamlit/Dockerfile":       "FROM python:3.11-slim\nCMD [\"streamlit\", \"run\", \"ui.py\"]\n",
		"Streamlit/ui.py":            "import streamlit as st\n",
		"Streamlit/requirements.txt": "streamlit\nrequests\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// (Compared case-blind: on Windows and macOS ./api is API/ itself.)
	if !strings.EqualFold(p.Script, filepath.Join(dir, "Streamlit", "ui.py")) || len(p.Services) != 1 || !strings.EqualFold(p.Services[0].Dir, filepath.Join(dir, "API")) ||
		!slices.Equal(p.AppEnv, []string{"API_URL=http://127.0.0.1:8000"}) || len(p.ComposeLeftOut) != 0 {
		t.Errorf("script %s, services %+v, app env %q, left out %q", p.Script, p.Services, p.AppEnv, p.ComposeLeftOut)
	}
}

// A Procfile's processes other than Streamlit's (an API the app calls) are not run, and are named
// so (ProcfileLeftOut); a Compose file's services or desklit.toml's replace that.
func TestProcfileProcessesLeftOut(t *testing.T) {
	procfile := "web: uvicorn app:app --host 0.0.0.0 --port 8000\nstreamlit: streamlit run web.py --server.port 8501\n\nrelease: python migrate.py\n"
	p, err := Load(tree(t, map[string]string{"web.py": "import streamlit as st\n", "app.py": "from fastapi import FastAPI\n", "Procfile": procfile}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"web: uvicorn app:app --host 0.0.0.0 --port 8000", "release: python migrate.py"}
	if filepath.Base(p.Script) != "web.py" || !slices.Equal(p.ProcfileLeftOut, want) {
		t.Errorf("script %s, left out %q; want web.py, %q", p.Script, p.ProcfileLeftOut, want)
	}
	p, err = Load(tree(t, map[string]string{"web.py": "import streamlit as st\n", "Procfile": procfile,
		"desklit.toml": "[services.backend]\ncommand = [\"uvicorn\", \"app:app\", \"--port\", \"{port}\"]\nport = 8000\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ProcfileLeftOut) != 0 {
		t.Errorf("with desklit.toml services: %q", p.ProcfileLeftOut)
	}
}
