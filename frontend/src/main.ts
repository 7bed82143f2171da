import './style.css';
import { wailsApi } from './api';
import { UI } from './ui';

const ui = new UI(document.getElementById('app')!, wailsApi());
void ui.start();
