// Entry point: wires the Streamlit components-v1 bridge to the component.
import { Streamlit, type RenderData } from "streamlit-component-lib/dist/streamlit";
import { AuthComponent, type Args } from "./controller";
import "./style.css";

const root = document.getElementById("root") ?? document.body;
const component = new AuthComponent({
  root,
  bridge: Streamlit,
  fetch: window.fetch.bind(window),
  eventSource: (url) => new EventSource(url),
});

Streamlit.events.addEventListener(Streamlit.RENDER_EVENT, (event: Event) => {
  const data = (event as CustomEvent<RenderData<Args>>).detail;
  component.render(data.args ?? {}, data.theme, data.disabled);
});
Streamlit.setComponentReady();
Streamlit.setFrameHeight();
