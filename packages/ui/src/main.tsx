import { render } from 'preact';
import { App } from './app.js';
import { applyTheme, currentTheme } from './theme.js';
import './styles.css';

applyTheme(currentTheme(), false);
render(<App />, document.getElementById('app')!);
